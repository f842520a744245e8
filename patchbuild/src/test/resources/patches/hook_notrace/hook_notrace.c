// SPDX-License-Identifier: GPL-2.0
/*
 * klpfleet build test patch that must never ship: it names __schedule, which kernel/sched/core.c
 * declares notrace, so ftrace (and livepatch) cannot hook it. Built only to be linted.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>

static void hook_notrace_schedule(bool preempt)
{
}

static struct klp_func funcs[] = {
	{ .old_name = "__schedule", .new_func = hook_notrace_schedule, },
	{ }
};

static struct klp_object objs[] = {
	{ /* name NULL: vmlinux */ .funcs = funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int hook_notrace_init(void)
{
	return klp_enable_patch(&patch);
}

static void hook_notrace_exit(void)
{
}

module_init(hook_notrace_init);
module_exit(hook_notrace_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

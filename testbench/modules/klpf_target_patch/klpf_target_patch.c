// SPDX-License-Identifier: GPL-2.0
/*
 * klpf_target_patch: livepatch for the module klpf_target, replacing klpf_target_wait() and
 * klpf_target_show() (/proc/klpf_target then reads "target patched").
 * Its transition stalls while klpf_target's thread klpf_sleeper sleeps inside the old
 * klpf_target_wait(): the livepatch core never switches a task with a patched function on its
 * stack. Writing 0 to /sys/kernel/livepatch/klpf_target_patch/enabled reverses the transition.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/kthread.h>
#include <linux/sched.h>
#include <linux/seq_file.h>

/* The original waits on a queue private to klpf_target; polling needs nothing from it. */
static void klpf_target_patch_wait(void)
{
	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		schedule_timeout(HZ);
	}
	__set_current_state(TASK_RUNNING);
}

static int klpf_target_patch_show(struct seq_file *m, void *v)
{
	seq_puts(m, "target patched\n");
	return 0;
}

static struct klp_func funcs[] = {
	{ .old_name = "klpf_target_wait", .new_func = klpf_target_patch_wait },
	{ .old_name = "klpf_target_show", .new_func = klpf_target_patch_show },
	{ }
};

static struct klp_object objs[] = {
	{ .name = "klpf_target", .funcs = funcs },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klpf_target_patch_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klpf_target_patch_exit(void)
{
}

module_init(klpf_target_patch_init);
module_exit(klpf_target_patch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpfleet test livepatch for klpf_target: its transition stalls on klpf_sleeper");
MODULE_INFO(livepatch, "Y");

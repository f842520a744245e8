// SPDX-License-Identifier: GPL-2.0
/*
 * klpf_revert_stall: livepatch for the module klpf_target whose transition stalls AND whose
 * reversal stalls. It replaces klpf_target_wait() (klpf_sleeper sleeps in the old one, so the
 * transition never completes) and klpf_target_nap(): klpf_napper switches to the patched state at
 * once, then sleeps inside the NEW klpf_target_nap() until the parameter "release" is set. When
 * the stalled transition is reversed (echo 0 > enabled), klpf_napper has a function of this patch
 * on its stack and cannot switch back: the reversal stalls until
 * echo 1 > /sys/module/klpf_revert_stall/parameters/release.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/kthread.h>
#include <linux/sched.h>

static bool release;
module_param(release, bool, 0644);
MODULE_PARM_DESC(release, "1 lets klpf_napper leave the patched klpf_target_nap");

/* Like klpf_target_patch's: polls, since the original's wait queue is private to klpf_target. */
static void klpf_revert_stall_wait(void)
{
	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		schedule_timeout(HZ);
	}
	__set_current_state(TASK_RUNNING);
}

/* noipa: the sleeping frame keeps this name in /proc/PID/stack. */
static noinline __attribute__((__noipa__)) void klpf_revert_stall_nap(void)
{
	while (!READ_ONCE(release) && !kthread_should_stop())
		schedule_timeout_idle(HZ / 10);
}

static struct klp_func funcs[] = {
	{ .old_name = "klpf_target_wait", .new_func = klpf_revert_stall_wait },
	{ .old_name = "klpf_target_nap", .new_func = klpf_revert_stall_nap },
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

static int __init klpf_revert_stall_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klpf_revert_stall_exit(void)
{
}

module_init(klpf_revert_stall_init);
module_exit(klpf_revert_stall_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpfleet test livepatch for klpf_target: its transition stalls, and so does its reversal");
MODULE_INFO(livepatch, "Y");

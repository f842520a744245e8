// SPDX-License-Identifier: GPL-2.0
/*
 * klpf_target: an ordinary module for livepatch transition tests. Its kernel thread
 * "klpf_sleeper" sleeps inside klpf_target_wait() until the module is removed, so a livepatch
 * replacing klpf_target_wait() (klpf_target_patch) cannot finish its transition: the task is
 * a blocker with patch_state 0 and klpf_target_wait in /proc/PID/stack.
 * /proc/klpf_target prints "target v0" through klpf_target_show().
 * A second thread, "klpf_napper", calls klpf_target_nap() (which returns at once) ten times a
 * second and sleeps in its own loop in between: it switches to a new patch state at the first
 * try, then runs the new klpf_target_nap(); klpf_revert_stall makes that one sleep, so the
 * reversal of its stalled transition stalls too.
 * Module parameter sleep_ms (0, the default: until the module is removed) bounds the sleeper's stay
 * in klpf_target_wait(): after sleep_ms it leaves the function and sleeps in its own loop, so a
 * stall it causes is transient - a later attempt of the same patch goes through.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/kthread.h>
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <linux/wait.h>
#include <linux/err.h>

static DECLARE_WAIT_QUEUE_HEAD(klpf_target_wq);
static unsigned int sleep_ms;
module_param(sleep_ms, uint, 0444);
MODULE_PARM_DESC(sleep_ms, "how long klpf_sleeper stays in klpf_target_wait (0: until removal)");
static struct task_struct *klpf_sleeper;
static struct task_struct *klpf_napper;

/*
 * TASK_IDLE sleep (wait_event_idle): uninterruptible, so the fake signals the livepatch core
 * sends to blockers since 5.1 do not move the task out of this function, yet not counted in
 * the load average nor reported by the hung task detector. kthread_stop() wakes the task with
 * wake_up_process(), after which kthread_should_stop() ends the wait.
 * noipa: no clones (.constprop/.isra) and no inlining, so the sleeping frame carries this name.
 */
noinline __attribute__((__noipa__)) void klpf_target_wait(void)
{
	if (sleep_ms)
		wait_event_idle_timeout(klpf_target_wq, kthread_should_stop(), msecs_to_jiffies(sleep_ms));
	else
		wait_event_idle(klpf_target_wq, kthread_should_stop());
}

noinline __attribute__((__noipa__)) int klpf_target_show(struct seq_file *m, void *v)
{
	seq_puts(m, "target v0\n");
	return 0;
}

/* v0 does nothing; noipa keeps the call (and the ftrace site) although the body is empty. */
noinline __attribute__((__noipa__)) void klpf_target_nap(void)
{
	barrier();
}

static int klpf_sleeper_fn(void *data)
{
	klpf_target_wait();
	/* Left the patched function (sleep_ms passed): sleep outside it until the module goes. */
	while (!kthread_should_stop())
		schedule_timeout_idle(HZ / 10);
	return 0;
}

/* Sleeps here, outside every patched function, so any transition can switch it. */
static int klpf_napper_fn(void *data)
{
	while (!kthread_should_stop()) {
		klpf_target_nap();
		schedule_timeout_idle(HZ / 10);
	}
	return 0;
}

static int __init klpf_target_init(void)
{
	if (!proc_create_single("klpf_target", 0444, NULL, klpf_target_show))
		return -ENOMEM;
	klpf_sleeper = kthread_run(klpf_sleeper_fn, NULL, "klpf_sleeper");
	if (IS_ERR(klpf_sleeper)) {
		remove_proc_entry("klpf_target", NULL);
		return PTR_ERR(klpf_sleeper);
	}
	klpf_napper = kthread_run(klpf_napper_fn, NULL, "klpf_napper");
	if (IS_ERR(klpf_napper)) {
		kthread_stop(klpf_sleeper);
		remove_proc_entry("klpf_target", NULL);
		return PTR_ERR(klpf_napper);
	}
	return 0;
}

static void __exit klpf_target_exit(void)
{
	kthread_stop(klpf_napper);
	kthread_stop(klpf_sleeper);
	remove_proc_entry("klpf_target", NULL);
}

module_init(klpf_target_init);
module_exit(klpf_target_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpfleet test target: kthread klpf_sleeper sleeps in klpf_target_wait, klpf_napper calls klpf_target_nap; /proc/klpf_target");

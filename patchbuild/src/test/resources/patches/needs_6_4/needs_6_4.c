// SPDX-License-Identifier: GPL-2.0
/*
 * klpfleet build test patch that only compiles on newer kernels: it includes
 * <linux/livepatch_sched.h>, added in Linux 6.4 with cond_resched() task switching, so the
 * 6.1 line fails (Debian's 6.1 backports <linux/cleanup.h>, so that is no discriminator).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>
#include <linux/mutex.h>
#include <linux/livepatch_sched.h>

static DEFINE_MUTEX(show_lock);

static int needs_6_4_meminfo_proc_show(struct seq_file *m, void *v)
{
	mutex_lock(&show_lock);
	seq_puts(m, "klpfleet needs_6_4: patched\n");
	mutex_unlock(&show_lock);
	return 0;
}

static struct klp_func funcs[] = {
	{ .old_name = "meminfo_proc_show", .new_func = needs_6_4_meminfo_proc_show, },
	{ }
};

static struct klp_object objs[] = {
	{ .funcs = funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int needs_6_4_init(void)
{
	return klp_enable_patch(&patch);
}

static void needs_6_4_exit(void)
{
}

module_init(needs_6_4_init);
module_exit(needs_6_4_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

// SPDX-License-Identifier: GPL-2.0
/* klpfleet build test patch: replaces /proc/cmdline's show function in vmlinux. */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int fix_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "klpfleet fix_cmdline: this has been live patched");
	return 0;
}

static struct klp_func funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = fix_cmdline_proc_show, },
	{ }
};

static struct klp_object objs[] = {
	{ /* name NULL: vmlinux */ .funcs = funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int fix_cmdline_init(void)
{
	return klp_enable_patch(&patch);
}

static void fix_cmdline_exit(void)
{
}

module_init(fix_cmdline_init);
module_exit(fix_cmdline_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

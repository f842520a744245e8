// SPDX-License-Identifier: GPL-2.0
/*
 * klpf_cmdline: livepatch replacing cmdline_proc_show() in vmlinux, so /proc/cmdline reads
 * "klpfleet: patched cmdline v1". The smallest visible livepatch of the klpfleet test bench.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int klpf_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpfleet: patched cmdline v1\n");
	return 0;
}

static struct klp_func funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = klpf_cmdline_proc_show },
	{ }
};

static struct klp_object objs[] = {
	{ .name = NULL /* vmlinux */, .funcs = funcs },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klpf_cmdline_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klpf_cmdline_exit(void)
{
}

module_init(klpf_cmdline_init);
module_exit(klpf_cmdline_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpfleet test livepatch: /proc/cmdline reads 'klpfleet: patched cmdline v1'");
MODULE_INFO(livepatch, "Y");

// SPDX-License-Identifier: GPL-2.0
/*
 * klpf_replace_v1: cumulative (.replace = true) livepatch replacing version_proc_show() in
 * vmlinux, so /proc/version reads "klpfleet replace v1". Loading it atomically replaces every
 * livepatch loaded before it (klpf_replace_v1 and klpf_replace_v2 replace each other).
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int klpf_replace_v1_version_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpfleet replace v1\n");
	return 0;
}

static struct klp_func funcs[] = {
	{ .old_name = "version_proc_show", .new_func = klpf_replace_v1_version_proc_show },
	{ }
};

static struct klp_object objs[] = {
	{ .name = NULL /* vmlinux */, .funcs = funcs },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int __init klpf_replace_v1_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klpf_replace_v1_exit(void)
{
}

module_init(klpf_replace_v1_init);
module_exit(klpf_replace_v1_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpfleet test livepatch: cumulative, /proc/version reads 'klpfleet replace v1'");
MODULE_INFO(livepatch, "Y");

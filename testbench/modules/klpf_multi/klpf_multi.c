// SPDX-License-Identifier: GPL-2.0
/*
 * klpf_multi: livepatch with two objects, for inspection tests.
 *  - vmlinux: execdomains_proc_show() (/proc/execdomains, read by nobody) and s_show with
 *    old_sympos 1. vmlinux has several local s_show functions (kallsyms order on Debian 6.1 and
 *    6.12: arch/x86/kernel/cpu/mce/severity.c, kernel/kallsyms.c, kernel/trace/trace.c, ...),
 *    so sympos 0 would be ambiguous; position 1 is the MCE severities-coverage debugfs file,
 *    harmless to replace. Its sysfs func directory is "s_show,1".
 *  - klpf_target: klpf_target_show() (/proc/klpf_target reads "klpfleet multi target").
 * The klpf_target object is patched only while that module is loaded.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int klpf_multi_execdomains_proc_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpfleet multi execdomains\n");
	return 0;
}

static int klpf_multi_severities_show(struct seq_file *f, void *v)
{
	seq_puts(f, "klpfleet multi severities\n");
	return 0;
}

static int klpf_multi_target_show(struct seq_file *m, void *v)
{
	seq_puts(m, "klpfleet multi target\n");
	return 0;
}

static struct klp_func vmlinux_funcs[] = {
	{ .old_name = "execdomains_proc_show", .new_func = klpf_multi_execdomains_proc_show },
	{ .old_name = "s_show", .new_func = klpf_multi_severities_show, .old_sympos = 1 },
	{ }
};

static struct klp_func target_funcs[] = {
	{ .old_name = "klpf_target_show", .new_func = klpf_multi_target_show },
	{ }
};

static struct klp_object objs[] = {
	{ .name = NULL /* vmlinux */, .funcs = vmlinux_funcs },
	{ .name = "klpf_target", .funcs = target_funcs },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klpf_multi_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klpf_multi_exit(void)
{
}

module_init(klpf_multi_init);
module_exit(klpf_multi_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpfleet test livepatch: objects vmlinux (2 funcs, one with sympos 1) and klpf_target");
MODULE_INFO(livepatch, "Y");

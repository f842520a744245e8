// Livepatch fixture: one object (vmlinux), two funcs, default sympos, no atomic replace.
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int fixture_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "klp_single");
	return 0;
}

static int fixture_version_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "klp_single version");
	return 0;
}

static struct klp_func funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = fixture_cmdline_proc_show, },
	{ .old_name = "version_proc_show", .new_func = fixture_version_proc_show, },
	{ }
};

static struct klp_object objs[] = {
	{ /* name NULL: vmlinux */ .funcs = funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = false,
};

static int klp_single_init(void)
{
	return klp_enable_patch(&patch);
}

static void klp_single_exit(void)
{
}

module_init(klp_single_init);
module_exit(klp_single_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

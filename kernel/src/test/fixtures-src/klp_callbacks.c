// Livepatch fixture: callbacks. vmlinux has pre_patch and post_unpatch, the xfs object has
// post_patch and pre_unpatch; atomic replace on.
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int fixture_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "klp_callbacks");
	return 0;
}

static int fixture_xfs_fs_statfs(void *dentry, void *buf)
{
	return -38;
}

static int pre_patch_vmlinux(struct klp_object *obj)
{
	pr_info("klp_callbacks: pre_patch vmlinux\n");
	return 0;
}

static void post_unpatch_vmlinux(struct klp_object *obj)
{
	pr_info("klp_callbacks: post_unpatch vmlinux\n");
}

static void post_patch_xfs(struct klp_object *obj)
{
	pr_info("klp_callbacks: post_patch xfs\n");
}

static void pre_unpatch_xfs(struct klp_object *obj)
{
	pr_info("klp_callbacks: pre_unpatch xfs\n");
}

static struct klp_func vmlinux_funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = fixture_cmdline_proc_show, },
	{ }
};

static struct klp_func xfs_funcs[] = {
	{ .old_name = "xfs_fs_statfs", .new_func = fixture_xfs_fs_statfs, },
	{ }
};

static struct klp_object objs[] = {
	{
		.funcs = vmlinux_funcs,
		.callbacks = { .pre_patch = pre_patch_vmlinux, .post_unpatch = post_unpatch_vmlinux, },
	},
	{
		.name = "xfs",
		.funcs = xfs_funcs,
		.callbacks = { .post_patch = post_patch_xfs, .pre_unpatch = pre_unpatch_xfs, },
	},
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int klp_callbacks_init(void)
{
	return klp_enable_patch(&patch);
}

static void klp_callbacks_exit(void)
{
}

module_init(klp_callbacks_init);
module_exit(klp_callbacks_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

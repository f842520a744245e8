// Livepatch fixture: two objects (vmlinux with an explicit old_sympos, and the ext4 module),
// atomic replace on.
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int fixture_cmdline_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "klp_multi");
	return 0;
}

static int fixture_meminfo_proc_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s\n", "klp_multi meminfo");
	return 0;
}

static int fixture_ext4_statfs(void *dentry, void *buf)
{
	return -38;
}

static int fixture_ext4_sync_fs(void *sb, int wait)
{
	return 0;
}

static struct klp_func vmlinux_funcs[] = {
	{ .old_name = "cmdline_proc_show", .new_func = fixture_cmdline_proc_show, .old_sympos = 2, },
	{ .old_name = "meminfo_proc_show", .new_func = fixture_meminfo_proc_show, },
	{ }
};

static struct klp_func ext4_funcs[] = {
	{ .old_name = "ext4_statfs", .new_func = fixture_ext4_statfs, .old_sympos = 1, },
	{ .old_name = "ext4_sync_fs", .new_func = fixture_ext4_sync_fs, },
	{ }
};

static struct klp_object objs[] = {
	{ .funcs = vmlinux_funcs, },
	{ .name = "ext4", .funcs = ext4_funcs, },
	{ }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = true,
};

static int klp_multi_init(void)
{
	return klp_enable_patch(&patch);
}

static void klp_multi_exit(void)
{
}

module_init(klp_multi_init);
module_exit(klp_multi_exit);
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");

// SPDX-License-Identifier: GPL-2.0
/*
 * klpf_panic_patch: livepatch for the module klpf_target whose new klpf_target_show() panics the
 * kernel. Loading it is harmless (its transition completes at once: no task sleeps in
 * klpf_target_show); `cat /proc/klpf_target` then takes the host down. It stands for a patch
 * that crashes its host, so that the agent's crash-loop guard can be tested on a real kernel.
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/seq_file.h>

static int klpf_panic_patch_show(struct seq_file *m, void *v)
{
	panic("klpf_panic_patch: the patched klpf_target_show ran");
	return 0;
}

static struct klp_func funcs[] = {
	{ .old_name = "klpf_target_show", .new_func = klpf_panic_patch_show },
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

static int __init klpf_panic_patch_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klpf_panic_patch_exit(void)
{
}

module_init(klpf_panic_patch_init);
module_exit(klpf_panic_patch_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("klpfleet test livepatch for klpf_target: reading /proc/klpf_target panics the kernel");
MODULE_INFO(livepatch, "Y");

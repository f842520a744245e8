// Ordinary (non-livepatch) module fixture: depends on libcrc32c through crc32c(), has a
// version (so modpost adds srcversion) and a non-GPL-only license string.
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/crc32c.h>

static int plain_mod_init(void)
{
	pr_info("plain_mod: crc %u\n", crc32c(0, "klpfleet", 8));
	return 0;
}

static void plain_mod_exit(void)
{
}

module_init(plain_mod_init);
module_exit(plain_mod_exit);
MODULE_LICENSE("Dual MIT/GPL");
MODULE_VERSION("1.2");
MODULE_DESCRIPTION("klpfleet test fixture: an ordinary module");

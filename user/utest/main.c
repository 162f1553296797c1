/* SPDX-License-Identifier: MIT */
/*
 * utest: the user-space test suite.
 *
 *	init.run=utest [utest.suites=ipc,memory]   all suites, or those named
 *	               [utest.capacity=512,1024]   cpu_capacity= as given to the kernel
 *	               [utest.iommu=0|1]           whether the machine has an IOMMU
 *	utest role=NAME [ARG]                       a child a test started
 *
 * It runs as an ordinary process holding what init passes on (console,
 * ramdisk, trace, COM1 ports and IRQ, HPET, itself) and exercises every
 * system call's success and error paths, starting copies of itself in a
 * role where a second process is needed. KTAP goes to the console; the exit
 * code is 0 when every case passed, 1 otherwise.
 */
#include "ut.h"

const char *ut_capacity_list;
int ut_iommu_expected = -1;

int main(int argc, char **argv)
{
	const char *spec = "all";

	for (int i = 1; i < argc; i++) {
		if (strncmp(argv[i], "role=", 5) == 0)
			return ut_role_main(argv[i] + 5, i + 1 < argc ? argv[i + 1] : NULL);
		if (strncmp(argv[i], "suites=", 7) == 0)
			spec = argv[i] + 7;
		if (strncmp(argv[i], "capacity=", 9) == 0)
			ut_capacity_list = argv[i] + 9;
		if (strncmp(argv[i], "iommu=", 6) == 0)
			ut_iommu_expected = argv[i][6] == '1';
	}
	return ut_run(spec) == 0 ? 0 : 1;
}

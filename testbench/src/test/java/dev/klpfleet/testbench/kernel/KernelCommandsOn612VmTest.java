package dev.klpfleet.testbench.kernel;

import dev.klpfleet.testbench.KernelLine;

class KernelCommandsOn612VmTest extends KernelCommandsVmTest {
    @Override
    KernelLine line() {
        return KernelLine.V6_12;
    }

    @Override
    KernelLine otherLine() {
        return KernelLine.V6_1;
    }
}

package dev.klpfleet.testbench.kernel;

import dev.klpfleet.testbench.KernelLine;

class KernelCommandsOn61VmTest extends KernelCommandsVmTest {
    @Override
    KernelLine line() {
        return KernelLine.V6_1;
    }

    @Override
    KernelLine otherLine() {
        return KernelLine.V6_12;
    }
}

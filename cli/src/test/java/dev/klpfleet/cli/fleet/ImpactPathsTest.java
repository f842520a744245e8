package dev.klpfleet.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.impact.ImpactDelta;
import dev.klpfleet.kernel.load.Impact;
import dev.klpfleet.protocol.fleet.ImpactPaths;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The impact fields a gate may limit are listed in protocol (which cannot see the kernel room); the
 * agent's evidence serializes the kernel's records. The cli sees both, so it checks the list follows them.
 */
class ImpactPathsTest {
    @Test
    void theGateableImpactFieldsAreExactlyThoseOfTheKernelsImpactRecords() {
        // The phases are the components holding an ImpactDelta; pinning (where insmod ran) is not a phase.
        assertThat(ImpactPaths.PHASES).containsExactlyElementsOf(Arrays.stream(Impact.class.getRecordComponents())
                .filter(c -> c.getType() == ImpactDelta.class).map(RecordComponent::getName).toList());
        assertThat(ImpactPaths.FIELDS).containsExactlyElementsOf(Arrays.stream(ImpactDelta.class.getRecordComponents()).map(RecordComponent::getName).toList());
        assertThat(ImpactPaths.ALL).contains("insmod.ksoftirqdMaxDelayNanos", "transition.retransSegs", "insmod.processCpuMillis")
                .hasSize(ImpactPaths.PHASES.size() * ImpactPaths.FIELDS.size());
    }
}

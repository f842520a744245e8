package dev.klpfleet.agent.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateFileTest {
    @TempDir
    Path data;

    @Test
    void aSaveReplacesTheFileWhole_0600_andLeavesNoTemporaryBehind() throws Exception {
        StateFile f = new StateFile(data);
        AgentState s = AgentState.empty().enrolled("h_1", "klph_secret").withTaint(512, "boot-1").dropped("none");

        f.save(s);
        f.save(s.withTaint(1024, "boot-2"));

        assertThat(f.load()).isEqualTo(s.withTaint(1024, "boot-2"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.path()))).isEqualTo("rw-------");
        try (var files = Files.list(data)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly(StateFile.NAME);
        }
    }

    @Test
    void aStateFileWrittenBeforeBootIdsAndDropCountsStillLoads() throws Exception {
        Files.writeString(data.resolve(StateFile.NAME), "{\"hostId\":\"h_1\",\"credential\":\"klph_x\",\"managed\":{},\"outbox\":[],"
                + "\"failures\":{},\"lastTaint\":512}");

        AgentState s = new StateFile(data).load();

        assertThat(s.lastTaint()).isEqualTo(512L);
        assertThat(s.lastBootId()).isNull();
        assertThat(s.droppedEvents()).isZero();
    }
}

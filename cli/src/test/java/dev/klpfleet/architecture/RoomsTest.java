package dev.klpfleet.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The rooms' doors: each Maven module has one job and the arrows point one way. Maven already
 * forbids cycles between modules; these rules keep the jobs themselves honest.
 */
class RoomsTest {
    private static final JavaClasses ALL = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.klpfleet");

    @Test
    void the_kernel_room_talks_to_one_kernel_and_nothing_else() {
        noClasses().that().resideInAPackage("dev.klpfleet.kernel..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "java.net..", "java.sql..", "javax.sql..", "java.net.http..",
                        "dev.klpfleet.protocol..", "dev.klpfleet.server..", "dev.klpfleet.patchbuild..", "dev.klpfleet.cli..",
                        "com.fasterxml..", "org.eclipse.jetty..", "org.jdbi..")
                .check(ALL);
    }

    @Test
    void the_protocol_is_shared_wire_types_that_know_no_room() {
        noClasses().that().resideInAPackage("dev.klpfleet.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.klpfleet.kernel..", "dev.klpfleet.server..", "dev.klpfleet.patchbuild..", "dev.klpfleet.cli..",
                        "java.sql..", "org.eclipse.jetty..", "org.jdbi..")
                .check(ALL);
    }

    @Test
    void the_server_never_touches_a_kernel_or_the_build_pipeline() {
        noClasses().that().resideInAPackage("dev.klpfleet.server..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.klpfleet.kernel..", "dev.klpfleet.patchbuild..", "dev.klpfleet.cli..")
                .check(ALL);
    }

    @Test
    void the_build_pipeline_does_not_reach_into_the_server_or_the_cli() {
        noClasses().that().resideInAPackage("dev.klpfleet.patchbuild..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.klpfleet.server..", "dev.klpfleet.cli..")
                .check(ALL);
    }

    @Test
    void the_agent_is_built_on_kernel_and_protocol_only() {
        noClasses().that().resideInAPackage("dev.klpfleet.agent..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.klpfleet.server..", "dev.klpfleet.patchbuild..", "dev.klpfleet.cli..",
                        "java.sql..", "org.eclipse.jetty..", "org.jdbi..")
                .check(ALL);
    }

    @Test
    void the_rollout_core_decides_from_state_and_time_alone() {
        // State in, decisions out: the simulator reuses it, and a restart replays it exactly.
        noClasses().that().resideInAPackage("dev.klpfleet.server.rollout.core..")
                .should().dependOnClassesThat().resideInAnyPackage(
                        "dev.klpfleet.server.rollout", "dev.klpfleet.server.storage..", "dev.klpfleet.server.api..",
                        "dev.klpfleet.server.host..", "dev.klpfleet.server.patch..", "dev.klpfleet.server.access..",
                        "java.io..", "java.nio.file..", "java.net..", "java.sql..", "org.jdbi..", "org.eclipse.jetty..",
                        "com.fasterxml..")
                .orShould().callMethod(java.time.Instant.class, "now")
                .orShould().callMethod(System.class, "currentTimeMillis")
                .orShould().callMethod(System.class, "nanoTime")
                .check(ALL);
    }

    @Test
    void only_main_exits_the_process() {
        noClasses().that().doNotHaveFullyQualifiedName("dev.klpfleet.cli.Main")
                .should().callMethod(System.class, "exit", int.class)
                .orShould().callMethod(Runtime.class, "halt", int.class)
                .check(ALL);
    }
}

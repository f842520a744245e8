package dev.klpfleet.agent.crash;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.agent.state.BootCheckin;
import dev.klpfleet.agent.state.LoadMark;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Every branch of the crash-loop guard's judgement, with the boot ids and times given. */
class CrashGuardTest {
    static final String OLD_BOOT = "11111111-1111-4111-8111-111111111111";
    static final String NEW_BOOT = "22222222-2222-4222-8222-222222222222";
    static final Duration WINDOW = Duration.ofMinutes(10);
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    static LoadMark mark(String boot, Instant completed) {
        return new LoadMark("fix_cmdline", "1", "ab".repeat(32), "r_1", boot, T0, completed);
    }

    static Map<String, LoadMark> loads(LoadMark m) {
        return Map.of(m.patch(), m);
    }

    @Test
    void a_load_that_never_returned_before_the_boot_ended_is_suspect() {
        LoadMark m = mark(OLD_BOOT, null);
        var found = CrashGuard.judge(Optional.of(NEW_BOOT), loads(m), new BootCheckin(OLD_BOOT, T0.minusSeconds(30)), WINDOW);
        assertThat(found).singleElement().isInstanceOfSatisfying(CrashGuard.Finding.Suspect.class, s -> {
            assertThat(s.reason()).isEqualTo(CrashGuard.NEVER_COMPLETED);
            assertThat(s.lastCheckin()).contains(new BootCheckin(OLD_BOOT, T0.minusSeconds(30)));
        });
    }

    @Test
    void a_boot_last_seen_a_second_short_of_the_window_after_the_load_is_suspect() {
        LoadMark m = mark(OLD_BOOT, T0.plusSeconds(5));
        var found = CrashGuard.judge(Optional.of(NEW_BOOT), loads(m), new BootCheckin(OLD_BOOT, T0.plusSeconds(5).plus(WINDOW).minusSeconds(1)), WINDOW);
        assertThat(found).singleElement().isInstanceOfSatisfying(CrashGuard.Finding.Suspect.class,
                s -> assertThat(s.reason()).isEqualTo(CrashGuard.WITHIN_WINDOW));
    }

    @Test
    void a_boot_last_seen_the_whole_window_after_the_load_survived_it() {
        LoadMark m = mark(OLD_BOOT, T0.plusSeconds(5));
        BootCheckin seen = new BootCheckin(OLD_BOOT, T0.plusSeconds(5).plus(WINDOW));
        assertThat(CrashGuard.judge(Optional.of(NEW_BOOT), loads(m), seen, WINDOW))
                .containsExactly(new CrashGuard.Finding.Survived(m, seen));
    }

    @Test
    void a_crash_before_any_check_in_after_the_load_is_suspect() {
        LoadMark m = mark(OLD_BOOT, T0.plusSeconds(5));
        // The last check-in of that boot came before the load returned.
        var found = CrashGuard.judge(Optional.of(NEW_BOOT), loads(m), new BootCheckin(OLD_BOOT, T0.minusSeconds(1)), WINDOW);
        assertThat(found).singleElement().isInstanceOf(CrashGuard.Finding.Suspect.class);
    }

    @Test
    void with_no_check_in_of_the_loads_boot_it_is_suspect_and_no_other_boots_check_in_stands_in() {
        LoadMark m = mark(OLD_BOOT, T0.plusSeconds(5));
        BootCheckin otherBoot = new BootCheckin("33333333-3333-4333-8333-333333333333", T0.plus(Duration.ofHours(5)));
        assertThat(CrashGuard.judge(Optional.of(NEW_BOOT), loads(m), otherBoot, WINDOW)).singleElement()
                .isInstanceOfSatisfying(CrashGuard.Finding.Suspect.class, s -> assertThat(s.lastCheckin()).isEmpty());
        assertThat(CrashGuard.judge(Optional.of(NEW_BOOT), loads(m), null, WINDOW)).singleElement()
                .isInstanceOf(CrashGuard.Finding.Suspect.class);
    }

    @Test
    void marks_of_the_running_boot_are_not_judged_an_agent_restart_is_not_a_crash() {
        assertThat(CrashGuard.judge(Optional.of(OLD_BOOT), loads(mark(OLD_BOOT, null)), null, WINDOW)).isEmpty();
    }

    @Test
    void without_a_readable_boot_id_nothing_is_judged() {
        assertThat(CrashGuard.judge(Optional.empty(), loads(mark(OLD_BOOT, null)), null, WINDOW)).isEmpty();
        assertThat(CrashGuard.judge(Optional.of(NEW_BOOT), loads(mark(null, null)), null, WINDOW)).isEmpty();
    }

    @Test
    void the_window_is_the_callers() {
        LoadMark m = mark(OLD_BOOT, T0);
        BootCheckin seen = new BootCheckin(OLD_BOOT, T0.plus(Duration.ofMinutes(3)));
        assertThat(CrashGuard.judge(Optional.of(NEW_BOOT), loads(m), seen, Duration.ofMinutes(2))).singleElement()
                .isInstanceOf(CrashGuard.Finding.Survived.class);
        assertThat(CrashGuard.judge(Optional.of(NEW_BOOT), loads(m), seen, Duration.ofMinutes(5))).singleElement()
                .isInstanceOf(CrashGuard.Finding.Suspect.class);
    }
}

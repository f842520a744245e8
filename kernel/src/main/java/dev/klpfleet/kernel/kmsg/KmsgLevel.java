package dev.klpfleet.kernel.kmsg;

/** syslog severity, the low 3 bits of a record's priority (include/linux/kern_levels.h). */
public enum KmsgLevel {
    EMERG, ALERT, CRIT, ERR, WARNING, NOTICE, INFO, DEBUG;

    static KmsgLevel of(int priority) {
        return values()[priority & 7];
    }
}

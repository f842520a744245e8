package dev.klpfleet.patchbuild.symbols;

/**
 * One symbol of a kernel object as kallsyms lists it.
 *
 * @param address its address (System.map), or its offset in its section (a module file)
 * @param type    the {@code nm} letter: {@code t}/{@code T} text, {@code d}/{@code D} data, ...;
 *                lower case is local
 * @param name    the symbol name, compiler suffixes such as {@code .constprop.0} included
 */
public record KernelSymbol(long address, char type, String name) {
    public boolean isText() {
        return type == 't' || type == 'T' || type == 'w' || type == 'W';
    }
}

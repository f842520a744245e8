package dev.klpfleet.cli.kernel;

import dev.klpfleet.kernel.load.OnStall;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

final class OnStallConverter implements ITypeConverter<OnStall> {
    @Override
    public OnStall convert(String value) {
        try {
            return OnStall.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' is not one of: reverse, wait");
        }
    }
}

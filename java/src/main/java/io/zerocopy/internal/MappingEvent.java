package io.zerocopy.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/** A JFR event for mapping or closing (unmapping) a {@code MappedRegion}, with a threshold. */
@Name("io.zerocopy.Mapping")
@Label("ZeroCopy Mapping")
@Category({"Java Application", "ZeroCopy"})
@Description("A MappedRegion was mapped or closed (unmapped)")
@Threshold("20 ms")
@StackTrace(true)
final class MappingEvent extends jdk.jfr.Event {
    @Label("Operation")
    @Description("map or close")
    String operation;

    @Label("Mode")
    @Description("READ_ONLY, READ_WRITE or PRIVATE")
    String mode;

    @Label("Position")
    @Description("Offset of the region in its file; -1 for close")
    @DataAmount
    long position;

    @Label("Size")
    @DataAmount
    long size;
}

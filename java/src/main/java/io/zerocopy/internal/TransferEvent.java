package io.zerocopy.internal;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Threshold;

/**
 * A JFR event for one {@code ZeroCopy} transfer call. Like the JDK's {@code jdk.FileRead}, it
 * is recorded only for calls that take at least its threshold (20 ms unless a recording's
 * settings say otherwise), and costs next to nothing when no recording asks for it.
 */
@Name("io.zerocopy.Transfer")
@Label("ZeroCopy Transfer")
@Category({"Java Application", "ZeroCopy"})
@Description("A ZeroCopy.transferTo, transferFrom or relay call: the path the bytes took and how many")
@Threshold("20 ms")
@StackTrace(true)
final class TransferEvent extends jdk.jfr.Event {
    @Label("Operation")
    @Description("transferTo, transferTo with header, transferFrom or relay")
    String operation;

    @Label("Path")
    @Description("How the bytes moved: SENDFILE, SPLICE, COPY_FILE_RANGE, BUFFERED, ...")
    String path;

    @Label("Bytes")
    @DataAmount
    long bytes;

    @Label("Source")
    @Description("file, socket, pipe, or the class of another channel")
    String source;

    @Label("Target")
    @Description("file, socket, pipe, or the class of another channel")
    String target;
}

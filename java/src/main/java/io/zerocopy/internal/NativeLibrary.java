package io.zerocopy.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Loads the native library once, from the first of these places that works:
 *
 * <ol>
 *   <li>the file named by the system property {@value #LIBRARY_PATH_PROPERTY}, if it is set
 *       (then nothing else is tried);
 *   <li>the jar resource {@code native/linux-<arch>/libzerocopy_jni.so}, copied into a new
 *       owner-only directory under the one named by {@value #WORKDIR_PROPERTY} (default
 *       {@code java.io.tmpdir}), created exclusively and owner-only, checked, loaded, and
 *       deleted at once;
 *   <li>{@code System.loadLibrary("zerocopy_jni")}, which searches {@code java.library.path}.
 * </ol>
 *
 * <p>If all fail, one {@link UnsatisfiedLinkError} names the platform, each place tried and why
 * it failed. Every later call throws the same error again.
 */
public final class NativeLibrary {
    /** System property: the path of the library to load; no other place is tried. */
    public static final String LIBRARY_PATH_PROPERTY = "zerocopy.library.path";
    /** System property: the directory that the library is extracted into (default: java.io.tmpdir). */
    public static final String WORKDIR_PROPERTY = "zerocopy.workdir";

    private static final String NAME = "zerocopy_jni";

    /** System property: "true" makes every call fail when the library cannot load, instead of using the JDK. */
    public static final String REQUIRE_NATIVE_PROPERTY = "zerocopy.requireNative";

    private static final System.Logger LOGGER = System.getLogger("io.zerocopy");

    private static final Object LOCK = new Object();
    /** Where the library came from; non-null once it is loaded. */
    private static volatile String loadedFrom;
    /** The first failure; later calls fail the same way. Guarded by LOCK. */
    private static UnsatisfiedLinkError failure;

    private NativeLibrary() {}

    /**
     * Loads the library unless it is loaded already. Cheap after the first call.
     *
     * @throws UnsatisfiedLinkError if it cannot be loaded
     */
    public static void ensureLoaded() {
        if (loadedFrom == null && !tryLoad()) {
            throw copyOfFailure();
        }
    }

    /**
     * Whether the library is loaded, loading it at the first call; never throws. A failure is
     * logged once, as a warning.
     */
    public static boolean tryLoad() {
        if (loadedFrom != null) {
            return true;
        }
        synchronized (LOCK) {
            if (loadedFrom != null) {
                return true;
            }
            if (failure != null) {
                return false;
            }
            try {
                loadedFrom = load();
                LOGGER.log(System.Logger.Level.DEBUG, "zerocopy-jni: native library loaded from {0}", loadedFrom);
                return true;
            } catch (UnsatisfiedLinkError e) {
                failure = e;
                if (!Boolean.getBoolean(REQUIRE_NATIVE_PROPERTY)) {
                    LOGGER.log(System.Logger.Level.WARNING, "zerocopy-jni: native library unavailable, transfers "
                            + "use the JDK's FileChannel methods (set -D" + REQUIRE_NATIVE_PROPERTY
                            + "=true to fail instead): " + e.getMessage());
                }
                return false;
            }
        }
    }

    /**
     * Whether calls should fall back to the JDK: the library cannot load and
     * {@value #REQUIRE_NATIVE_PROPERTY} is not "true". With it "true", throws the load failure.
     */
    public static boolean fallsBack() {
        if (tryLoad()) {
            return false;
        }
        if (Boolean.getBoolean(REQUIRE_NATIVE_PROPERTY)) {
            throw copyOfFailure();
        }
        return true;
    }

    /** Why the library could not load, or null if it loaded (or was not tried yet). */
    public static UnsatisfiedLinkError failure() {
        synchronized (LOCK) {
            return failure;
        }
    }

    /** A fresh error for this call's stack, with the first failure's message and cause. */
    private static UnsatisfiedLinkError copyOfFailure() {
        UnsatisfiedLinkError first = failure();
        UnsatisfiedLinkError copy = new UnsatisfiedLinkError(first.getMessage());
        copy.initCause(first.getCause());
        return copy;
    }

    /** Where the library was loaded from, such as "jar resource ...", or null before loading. */
    public static String loadedFrom() {
        return loadedFrom;
    }

    /**
     * The platform folder name in the jar: {@code linux-x86_64}, {@code linux-aarch64}, and
     * {@code linux-x86_64-musl} (or {@code linux-aarch64-musl}) on musl libc.
     */
    public static String platform() {
        String os = System.getProperty("os.name", "unknown").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "unknown").toLowerCase(Locale.ROOT);
        switch (arch) {
            case "amd64":
            case "x86_64":
                arch = "x86_64";
                break;
            case "aarch64":
            case "arm64":
                arch = "aarch64";
                break;
            default:
                break;
        }
        return (os.startsWith("linux") ? "linux" : os.replace(' ', '_')) + "-" + arch
                + (os.startsWith("linux") && usesMusl() ? "-musl" : "");
    }

    /** Whether this JVM runs on musl libc (Alpine): its dynamic loader is mapped into the process. */
    static boolean usesMusl() {
        try (java.util.stream.Stream<String> maps = Files.lines(Paths.get("/proc/self/maps"))) {
            return maps.anyMatch(line -> line.contains("/ld-musl-") || line.contains("/libc.musl-"));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }

    private static String load() {
        String platform = platform();
        if (!platform.startsWith("linux-")) {
            throw new UnsatisfiedLinkError("zerocopy-jni runs on Linux only; this is "
                    + System.getProperty("os.name") + " on " + System.getProperty("os.arch"));
        }
        String explicit = System.getProperty(LIBRARY_PATH_PROPERTY);
        if (explicit != null) {
            Path path = Paths.get(explicit).toAbsolutePath();
            try {
                loadAndInit(path);
                return LIBRARY_PATH_PROPERTY + "=" + path;
            } catch (UnsatisfiedLinkError e) {
                throw new UnsatisfiedLinkError("Cannot load zerocopy-jni for " + platform + " from -D"
                        + LIBRARY_PATH_PROPERTY + "=" + explicit + " (nothing else is tried when it is set): "
                        + reason(e, path));
            }
        }

        List<String> tried = new ArrayList<>();
        String resource = "/native/" + platform + "/lib" + NAME + ".so";
        URL url = NativeLibrary.class.getResource(resource);
        if (url == null) {
            tried.add("jar resource " + resource + ": not in the jar (no build for " + platform + ")");
        } else {
            Path workdir = Paths.get(System.getProperty(WORKDIR_PROPERTY, System.getProperty("java.io.tmpdir")))
                    .toAbsolutePath();
            try {
                loadFromJar(url, workdir);
                return "jar resource " + resource + " (extracted into " + workdir + ")";
            } catch (IOException | UnsatisfiedLinkError e) {
                tried.add("jar resource " + resource + " extracted into " + workdir + ": " + reason(e, workdir));
            }
        }

        try {
            System.loadLibrary(NAME);
            checkAbi();
            return "System.loadLibrary(\"" + NAME + "\")";
        } catch (UnsatisfiedLinkError e) {
            tried.add("System.loadLibrary(\"" + NAME + "\") with java.library.path="
                    + System.getProperty("java.library.path") + ": " + e.getMessage());
        }

        StringBuilder message = new StringBuilder("Cannot load zerocopy-jni for " + platform + "; tried:");
        for (int i = 0; i < tried.size(); i++) {
            message.append("\n  ").append(i + 1).append(". ").append(tried.get(i));
        }
        message.append("\nSet -D").append(LIBRARY_PATH_PROPERTY).append("=/path/to/lib").append(NAME)
                .append(".so to name the library directly.");
        throw new UnsatisfiedLinkError(message.toString());
    }

    private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    /**
     * Copies the library into a new directory that only this user can enter, creating the file
     * there exclusively (never following or replacing anything), checks what it made, loads it
     * and deletes both. Another user of a shared work dir such as /tmp can neither read nor
     * replace the file, whatever the umask.
     */
    private static void loadFromJar(URL url, Path workdir) throws IOException {
        refuseUnsafeWorkdir(workdir);
        Path dir;
        try {
            dir = Files.createTempDirectory(workdir, "zerocopy-jni-",
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
        } catch (IOException e) {
            throw new IOException("cannot create a file in the work dir (" + e + "); set -D" + WORKDIR_PROPERTY
                    + " to a writable directory", e);
        }
        Path file = dir.resolve("lib" + NAME + ".so");
        try {
            try (InputStream in = url.openStream();
                    OutputStream out = Channels.newOutputStream(Files.newByteChannel(file,
                            Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                            PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)))) {
                in.transferTo(out);
            }
            requireOwnedAndPrivate(dir, OWNER_ONLY_DIRECTORY);
            requireOwnedAndPrivate(file, OWNER_ONLY_FILE);
            loadAndInit(file);
        } finally {
            // The mapping stays after the file is gone; deleting now leaves nothing behind.
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * A work dir that other users may write to is safe only with the sticky bit (as /tmp has):
     * without it, they could rename the directory made here and put their own in its place.
     */
    private static void refuseUnsafeWorkdir(Path workdir) throws IOException {
        if (!Files.isDirectory(workdir)) {
            throw new IOException("the work dir does not exist or is not a directory; set -D" + WORKDIR_PROPERTY
                    + " to an existing writable directory");
        }
        int mode = (Integer) Files.getAttribute(workdir, "unix:mode");
        boolean othersMayWrite = (mode & 0022) != 0;
        boolean sticky = (mode & 01000) != 0;
        if (othersMayWrite && !sticky) {
            throw new IOException(String.format("the work dir is writable by other users (mode %o) and has no "
                    + "sticky bit, so the library could be replaced there; set -D%s to a directory that only "
                    + "you can write, or one with the sticky bit like /tmp", mode & 07777, WORKDIR_PROPERTY));
        }
    }

    /** Fails unless {@code path} is this user's, of exactly {@code permissions}, and no link. */
    private static void requireOwnedAndPrivate(Path path, Set<PosixFilePermission> permissions) throws IOException {
        Map<String, Object> attributes = Files.readAttributes(path, "unix:uid,mode,isSymbolicLink",
                LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) attributes.get("mode");
        if ((Boolean) attributes.get("isSymbolicLink") || (Integer) attributes.get("uid") != effectiveUid()
                || !permissions.equals(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS))) {
            throw new IOException(String.format("%s is not what this process created (owner uid %s, mode %o): "
                    + "another user interfered with the work dir; set -D%s to a directory that only you can write",
                    path, attributes.get("uid"), mode & 07777, WORKDIR_PROPERTY));
        }
    }

    /** This process's effective user id, from /proc/self/status. */
    private static int effectiveUid() throws IOException {
        for (String line : Files.readAllLines(Paths.get("/proc/self/status"))) {
            if (line.startsWith("Uid:")) {
                return Integer.parseInt(line.split("\\s+")[2]);
            }
        }
        throw new IOException("no Uid line in /proc/self/status");
    }

    private static void loadAndInit(Path file) {
        System.load(file.toString());
        checkAbi();
    }

    private static void checkAbi() {
        int abi;
        try {
            abi = Native.init();
        } catch (RuntimeException e) {
            // Recorded as the load's failure, so that no later call loads a second copy.
            UnsatisfiedLinkError failed = new UnsatisfiedLinkError("the zerocopy-jni library loaded, but its "
                    + "initialisation failed: " + e);
            failed.initCause(e);
            throw failed;
        }
        if (abi != Native.ABI_VERSION) {
            throw new UnsatisfiedLinkError("the loaded zerocopy-jni library has ABI version " + abi
                    + " but this jar needs " + Native.ABI_VERSION + ": a stale library is on the path");
        }
    }

    /** The failure, with a hint where a likely cause is known: a noexec mount, a missing file. */
    private static String reason(Throwable e, Path path) {
        String message = e.getMessage();
        if (e instanceof UnsatisfiedLinkError && !Files.exists(path)) {
            return "no such file: " + message;
        }
        String mount = noexecMountOf(Files.isDirectory(path) ? path : path.getParent());
        if (mount != null) {
            return message + " (" + path + " is on the noexec mount " + mount + ", where libraries cannot be "
                    + "loaded; set -D" + WORKDIR_PROPERTY + " to a directory on a mount without noexec)";
        }
        return message;
    }

    /** The mount point holding {@code dir} if it is mounted noexec, else null. */
    static String noexecMountOf(Path dir) {
        if (dir == null) {
            return null;
        }
        try {
            String real = dir.toRealPath().toString();
            String best = null;
            boolean noexec = false;
            // mountinfo fields: id parent major:minor root mountpoint options ...
            for (String line : Files.readAllLines(Paths.get("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length < 6) {
                    continue;
                }
                String point = f[4].replace("\\040", " ");
                boolean contains = real.equals(point) || point.equals("/")
                        || real.startsWith(point.endsWith("/") ? point : point + "/");
                if (contains && (best == null || point.length() >= best.length())) {
                    best = point;
                    noexec = ("," + f[5] + ",").contains(",noexec,");
                }
            }
            return noexec ? best : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

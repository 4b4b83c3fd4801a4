/** A user's module that requires io.zerocopy: compiled and run on the module path in `gradle check`. */
module io.zerocopy.check {
    requires io.zerocopy;
}

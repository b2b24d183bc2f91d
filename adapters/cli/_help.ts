/** The part of every pod command's `--help` about the common flags and exit codes. */
export const COMMON_HELP = `Common options:
  --state-dir DIR           where records are kept; must exist (default
                            %ProgramData%\\podnet on Windows, /var/lib/podnet elsewhere)
  --host windows|sim        the real host (default on Windows without --sim-state) or a simulated one
  --sim-state FILE          the simulated host's file (with --host sim; see podnet sim init)
  --json                    print exactly one JSON document on stdout, nothing else there
  --verbose                 podnet's log records on stderr
  --log-format text|json    how --verbose writes them (default text)
  -h, --help                this text

Exit codes:
  0  done
  1  the operation failed: what was recorded and what to run next are printed
  2  bad usage or input (flags, a missing state directory, a corrupt record):
     nothing was done
  3  the pod is busy: another process is working on it; nothing was done`;

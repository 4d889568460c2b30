#!/usr/bin/env bash
# The action's last step: the gate's verdict becomes the step's result (after the SARIF upload,
# so that code scanning sees the findings of a failing run). EXIT_CODE is check.sh's `exit-code`
# output: 0 pass, 1 policy violation.
set -euo pipefail
case ${EXIT_CODE:-} in
  0) echo "tollgate: pass" ;;
  1)
    echo "::error title=tollgate::the dependency policy is violated (see the job summary)" >&2
    exit 1
    ;;
  *)
    echo "::error title=tollgate::the check did not run (exit code '${EXIT_CODE:-}')" >&2
    exit 2
    ;;
esac

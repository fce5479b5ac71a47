# Shared by scripts/run and scripts/test: system libraries and the .venv at the repo root.
# Sourced, not run. Needs: bash, python3 >= 3.11 with venv.

# Debian packages Qt needs to run offscreen (DESIGN.md, "Fresh-machine facts").
QT_OFFSCREEN_DEBS=(libgl1 libegl1 libfontconfig1 libdbus-1-3 libglib2.0-0 libxkbcommon0)
# ...and, with a real display, the xcb platform plugin.
QT_XCB_DEBS=(libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-shape0
  libxkbcommon-x11-0)
# ...and the accessibility test: a screen-reader client (pyatspi, for the system python3) on a virtual display.
ATSPI_TEST_DEBS=(xvfb xauth dbus at-spi2-core python3-pyatspi)
# ...and the clinic tests' own PostgreSQL 15 server (initdb, pg_ctl: tests/clinic/server.py). Named by version:
# the tests run the programs of /usr/lib/postgresql/15, the server a clinic on Debian 12 has.
CLINIC_TEST_DEBS=(postgresql-15)

ensure_debs() {
  # Installs the given Debian packages that are missing; says what to do when it cannot.
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "backmap: please install the system libraries: ${missing[*]}" >&2
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo=(sudo); else
      echo "backmap: missing system libraries (${missing[*]}); run as root or install them." >&2
      return 1
    fi
  fi
  echo "backmap: installing system libraries: ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {
  # Creates .venv and installs the project (with the extras named in $1) when pyproject.toml changed.
  local extras=${1:-}
  local python=${PYTHON:-python3}
  "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || {
    echo "backmap: needs Python 3.11 or newer (found $("$python" --version 2>&1))" >&2
    return 1
  }
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv || {
      echo "backmap: could not create .venv; on Debian: apt-get install python3-venv" >&2
      return 1
    }
  fi
  local target=".${extras:+[$extras]}"
  local stamp=".venv/.backmap-installed${extras:+-$extras}"
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q -e "$target"
    echo "$want" >"$stamp"
  fi
}

# Shared by the README's commands: install only what is missing.

step() { printf '\n== %s\n' "$*"; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Installs the Debian packages that are not installed yet (and runs `apt-get update` only then).
ensure_packages() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        step "installing ${missing[*]}"
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
}

ensure_rust() {
    if ! command -v cargo >/dev/null; then
        echo "Rust is not installed: install it with rustup (https://rustup.rs), then run this again." >&2
        exit 1
    fi
}

# What building the desktop app needs: Tauri's system libraries, and Node for the web UI.
ensure_app_build_deps() {
    ensure_packages build-essential pkg-config curl file libssl-dev libwebkit2gtk-4.1-dev libxdo-dev \
        libayatana-appindicator3-dev librsvg2-dev gnome-keyring libsecret-tools
    if ! command -v npm >/dev/null; then
        ensure_packages nodejs npm
    fi
}

# Builds the web UI into ui/dist (the app embeds it), installing its modules when missing.
build_ui() {
    step "web UI"
    if [ ! -d ui/node_modules ] || [ ui/package-lock.json -nt ui/node_modules ]; then
        # npm install, not npm ci: this registry setup writes locks without versions that npm ci then refuses.
        (cd ui && npm install --no-audit --no-fund)
    fi
    (cd ui && npm run build --silent)
}

# A PostgreSQL for the server's tests, exported as CLINIC_TEST_DATABASE_URL (tests create a fresh
# database each in it): DATABASE_URL when set, else the local server on 127.0.0.1:5432 when it
# answers, else a throwaway cluster started from the installed binaries (stopped on exit).
ensure_test_postgres() {
    ensure_packages postgresql postgresql-contrib
    # Already found (or started) by the script that called this one.
    if [ -n "${CLINIC_TEST_DATABASE_URL:-}" ] && psql "$CLINIC_TEST_DATABASE_URL" -Atqc 'SELECT 1' >/dev/null 2>&1; then
        return
    fi
    if [ -n "${DATABASE_URL:-}" ]; then
        export CLINIC_TEST_DATABASE_URL="$DATABASE_URL"
    elif psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -Atqc 'SELECT 1' >/dev/null 2>&1; then
        export CLINIC_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres"
        # Databases earlier runs' tests left behind.
        psql -h 127.0.0.1 -U postgres -d postgres -Atqc \
            "SELECT 'DROP DATABASE ' || datname || ';' FROM pg_database WHERE datname LIKE 'clinic_test_%'" \
            | psql -h 127.0.0.1 -U postgres -d postgres -q >/dev/null 2>&1 || true
    else
        local bin dir port=55432
        bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -1 || command -v initdb)")
        dir=$(mktemp -d)
        step "starting a throwaway PostgreSQL on port $port"
        # PostgreSQL refuses to run as root: the cluster belongs to the postgres user then.
        local run=()
        if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; run=(runuser -u postgres --); fi
        "${run[@]}" "$bin/initdb" -D "$dir/data" -U postgres --auth=trust >/dev/null
        "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
            -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
        PG_THROWAWAY=("${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop)
        PG_THROWAWAY_DIR=$dir
        export CLINIC_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/postgres"
    fi
}

stop_test_postgres() {
    if [ -n "${PG_THROWAWAY_DIR:-}" ]; then
        "${PG_THROWAWAY[@]}" >/dev/null 2>&1 || true
        rm -rf "$PG_THROWAWAY_DIR"
    fi
}

# A real CUPS print queue for clinic-core's printing test: ClinicDesk_PDF, a virtual printer
# (Debian's cups-pdf) that writes each job it prints as a PDF file into $CLINIC_CUPS_PDF_OUT.
# A second queue, ClinicDesk_Refusing, refuses every job. Starts the CUPS scheduler when it is not running (with systemd when it is the init, else cupsd
# itself: these machines may have none). Exports CLINIC_REQUIRE_CUPS, so the test fails, not skips,
# when the queue is missing. Only the queue's own settings file is written (the device
# `cups-pdf:/clinicdesk` reads /etc/cups/cups-pdf-clinicdesk.conf): other cups-pdf queues keep theirs.
ensure_test_printer() {
    ensure_packages cups cups-client printer-driver-cups-pdf
    local queue=ClinicDesk_PDF out=/var/spool/cups-pdf/clinic-desk
    if ! lpstat -r 2>/dev/null | grep -q "scheduler is running"; then
        step "starting the CUPS scheduler"
        if [ -d /run/systemd/system ]; then
            as_root systemctl start cups
        else
            as_root /usr/sbin/cupsd
        fi
        for _ in $(seq 50); do
            lpstat -r 2>/dev/null | grep -q "scheduler is running" && break
            sleep 0.1
        done
    fi
    local conf=/etc/cups/cups-pdf-clinicdesk.conf
    # Label 2: each file is named after its CUPS job ("job_42-…"), which is how the test finds its own.
    local wanted
    wanted=$(printf 'Out %s\nAnonDirName %s\nLabel 2\n' "$out" "$out")
    if [ "$(cat "$conf" 2>/dev/null)" != "$wanted" ]; then
        printf '%s\n' "$wanted" | as_root tee "$conf" >/dev/null
    fi
    if ! lpstat -p "$queue" >/dev/null 2>&1; then
        step "creating the print queue $queue (a virtual PDF printer)"
        local ppd
        ppd=$(ls /usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd /usr/share/ppd/cups-pdf/*.ppd 2>/dev/null | head -1)
        # cups-pdf is a PostScript printer: CUPS turns the PDF into PostScript for it, and cups-pdf
        # back into a PDF. Rendered by pdftocairo, the text stays readable (Latin-1 at least; with
        # the default renderer every glyph becomes a drawing and pdftotext reads nothing).
        as_root lpadmin -p "$queue" -E -v cups-pdf:/clinicdesk -P "$ppd" -D "Clinic Desk test printer (writes PDF files)" \
            -o pdftops-renderer-default=pdftocairo 2> >(grep -v "Printer drivers are deprecated" >&2)
    fi
    # A second queue that refuses every job, as a printer its owner has stopped does: the test of
    # what a receptionist reads when lp fails.
    local refusing=ClinicDesk_Refusing
    if ! lpstat -p "$refusing" >/dev/null 2>&1; then
        as_root lpadmin -p "$refusing" -E -v cups-pdf:/clinicdesk -P "$(ls /usr/share/ppd/cups-pdf/CUPS-PDF_noopt.ppd)" \
            -D "Clinic Desk test printer (refuses every job)" 2> >(grep -v "Printer drivers are deprecated" >&2)
    fi
    as_root cupsreject -r "stopped for the tests" "$refusing"
    as_root mkdir -p "$out"
    export CLINIC_REQUIRE_CUPS=1 CLINIC_TEST_PRINTER=$queue CLINIC_TEST_REFUSING_PRINTER=$refusing CLINIC_CUPS_PDF_OUT=$out
}

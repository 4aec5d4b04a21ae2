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

#!/usr/bin/env bash
# Developer entry point of account_payment_followup: one script, a few verbs.
#
#   bash dev/dev.sh run        set everything up, create the demo database, serve Odoo
#   bash dev/dev.sh test       set everything up, run the whole test suite on a fresh database
#   bash dev/dev.sh followup   run today's follow-ups once on a database and print a report
#   bash dev/dev.sh shell      an Odoo shell on the demo database
#   bash dev/dev.sh bench      the benchmark at 10,000 customers (see dev/README.rst, Performance)
#   bash dev/dev.sh check FILE...  quick loop: update the addon on the test database, run these tests
#
# Everything that is slow to build (virtual environment, Odoo source, PostgreSQL
# cluster) lives outside the checkout, in $APF_HOME, so that a fresh clone reuses it.
# Settings (environment variables):
#   APF_HOME     state folder            (default ~/.cache/account_payment_followup)
#   ODOO_SRC     an Odoo 17.0 source tree (or archive) to install instead of downloading
#   ODOO_URL     where to download Odoo 17.0 Community from (official source by default)
#   APF_PYTHON   Python used to create the virtual environment (default python3)
#   APF_PGPORT   port of the project's PostgreSQL cluster (default 54329)
#   APF_HTTP_PORT  Odoo's port for "run" (default 8069)
#   APF_HTTP_INTERFACE  address Odoo listens on (default 127.0.0.1: this machine
#                only, as the demo's admin/admin and database manager must not be
#                reachable from the network; 0.0.0.0 opens it to every interface)
#   APF_SMTP_PORT  port of the local mail catcher of "run" (default 2525)
#   APF_DB       database used by "run", "followup" and "shell" (default apf_demo)
#   APF_TEST_DB  database created afresh by "test" (default apf_test)
#   APF_WORK     scratch folder of this checkout (default .dev)
#   APF_ODOO_SUITES  Odoo's own test files run by "test" with the addon installed
#                (paths relative to odoo/addons; default: ODOO_SUITES below)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MODULE=account_payment_followup
APF_HOME=${APF_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/$MODULE}
VENV=$APF_HOME/venv
PY=$VENV/bin/python
# The cluster must be reachable by its owner: as root that is the "postgres"
# system user, who cannot enter root's home folder.
if [ "$(id -u)" = 0 ]; then PGBASE=${APF_PGBASE:-/var/lib/$MODULE}; else PGBASE=${APF_PGBASE:-$APF_HOME}; fi
PGDATA=$PGBASE/pgdata
PGSOCK=$PGBASE/pgsocket
PGPORT=${APF_PGPORT:-54329}
PGUSER_ODOO=odoo
HTTP_PORT=${APF_HTTP_PORT:-8069}
HTTP_INTERFACE=${APF_HTTP_INTERFACE:-127.0.0.1}
SMTP_PORT=${APF_SMTP_PORT:-2525}
DB=${APF_DB:-apf_demo}
ODOO_URL=${ODOO_URL:-https://github.com/odoo/odoo/archive/refs/heads/17.0.tar.gz}
WORK=${APF_WORK:-$REPO/.dev}   # per-checkout scratch: addons link, config, logs (git-ignored)
ADMIN_LOGIN=admin
# Odoo's own tests of what the addon overrides (invoices, payments, invoice
# sending, the mail composer, activities, partners, SMS templates), run by
# "test" on the database with the addon installed: an override must never
# break Odoo. About 3 minutes on a 2-core machine.
ODOO_SUITES="account/tests/test_account_move_out_invoice.py account/tests/test_account_payment_register.py
account/tests/test_account_move_send.py mail/tests/test_mail_composer.py mail/tests/test_mail_activity.py
mail/tests/test_res_partner.py sms/tests/test_sms_template.py"
ADMIN_PASSWORD=admin

say() { printf '\033[1m[apf]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[apf] %s\033[0m\n' "$*" >&2; exit 1; }
is_root() { [ "$(id -u)" = 0 ]; }

# --------------------------------------------------------------------------
# System packages
# --------------------------------------------------------------------------
apt_install() {
    # Install Debian packages when missing and allowed (root with apt-get).
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if is_root && command -v apt-get >/dev/null; then
        say "installing Debian packages: ${missing[*]}"
        if [ ! -f "$APF_HOME/.apt-updated" ] || [ -n "$(find "$APF_HOME/.apt-updated" -mtime +1)" ]; then
            apt-get update -qq && touch "$APF_HOME/.apt-updated"
        fi
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
            || say "could not install ${missing[*]}: continuing without"
    else
        say "missing Debian packages (install them as root): ${missing[*]}"
    fi
}

pg_bindir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/pg_ctl" ] && { echo "$d"; return; }
    done
    command -v pg_ctl >/dev/null && dirname "$(command -v pg_ctl)"
}

ensure_system() {
    mkdir -p "$APF_HOME"
    [ -n "$(pg_bindir)" ] || apt_install postgresql
    command -v wkhtmltopdf >/dev/null || apt_install wkhtmltopdf
    # Browser tests (Odoo tours) need a Chromium.
    if [ "${1:-}" = test ]; then
        command -v chromium >/dev/null || command -v chromium-browser >/dev/null || apt_install chromium
        # README.rst is generated from readme/*.md (dev/gen_readme.py) with pandoc.
        command -v pandoc >/dev/null || apt_install pandoc
    fi
}

# --------------------------------------------------------------------------
# Python: virtual environment with Odoo 17 and the project's tools
# --------------------------------------------------------------------------
odoo_importable() {
    "$PY" - <<'PY' 2>/dev/null
import odoo.release, sys
sys.exit(0 if odoo.release.version_info[0] == 17 else 1)
PY
}

install_odoo() {
    local src=${ODOO_SRC:-}
    if [ -z "$src" ]; then
        src=$APF_HOME/odoo-17.0
        if [ ! -f "$src/setup.py" ]; then
            say "downloading Odoo 17.0 Community from $ODOO_URL"
            mkdir -p "$src.part"
            if ! curl -fsSL --retry 2 "$ODOO_URL" | tar -xz -C "$src.part" --strip-components=1; then
                rm -rf "$src.part"
                return 1
            fi
            mv "$src.part" "$src"
        fi
    elif [ -f "$src" ]; then        # an archive
        local dir=$APF_HOME/odoo-17.0
        rm -rf "$dir" && mkdir -p "$dir" && tar -xzf "$src" -C "$dir" --strip-components=1
        src=$dir
    fi
    [ -f "$src/setup.py" ] && [ -f "$src/requirements.txt" ] || die "no Odoo source at $src (setup.py and requirements.txt expected)"
    say "installing Odoo from $src"
    # psycopg2 from source needs libpq headers: take the binary wheel; LDAP is not used.
    sed -e '/python-ldap/d' -e 's/^psycopg2==/psycopg2-binary==/' "$src/requirements.txt" > "$APF_HOME/odoo-requirements.txt"
    "$PY" -m pip install -q -r "$APF_HOME/odoo-requirements.txt"
    "$PY" -m pip install -q --no-deps "$src"
}

ensure_python() {
    local python=${APF_PYTHON:-python3}
    if [ ! -x "$PY" ]; then
        say "creating the virtual environment $VENV"
        "$python" -m venv "$VENV"
        "$PY" -m pip install -q 'setuptools<70' wheel      # Odoo 17 imports pkg_resources
    fi
    if ! odoo_importable; then
        if ! install_odoo || ! odoo_importable; then
            ODOO_MISSING="Odoo 17 could not be installed (no network to $ODOO_URL?). Point ODOO_SRC at an Odoo 17.0 source tree or archive and run again."
            return 1
        fi
    fi
    local stamp=$APF_HOME/.dev-requirements wanted
    wanted=$(cat "$REPO/dev/requirements.txt" "$REPO/test-requirements.txt")
    if [ "$wanted" != "$(cat "$stamp" 2>/dev/null)" ]; then
        say "installing the project's Python dependencies"
        # Odoo addons from PyPI (odoo-addon-*: queue_job for the tests) go in
        # without their dependencies: these name the "odoo" distribution and,
        # through it, psycopg2 built from source, where Odoo was installed here
        # with psycopg2-binary; their Python needs are Odoo's own. The rest of
        # test-requirements.txt (which dev/requirements.txt reads with -r) as usual.
        local reqs=$APF_HOME/python-requirements.txt
        { grep -v '^-r \.\./test-requirements\.txt' "$REPO/dev/requirements.txt"
          grep -v '^odoo-addon' "$REPO/test-requirements.txt"; } > "$reqs"
        "$PY" -m pip install -q -r "$reqs"
        grep '^odoo-addon' "$REPO/test-requirements.txt" | xargs -r "$PY" -m pip install -q --no-deps
        printf '%s' "$wanted" > "$stamp"
    fi
}

test_addons() {
    # What the test database installs: the module, Odoo's test payment provider
    # (payment_demo, for the statement page's online payment) and, when it is
    # importable (test-requirements.txt), OCA's queue_job for the scheduled
    # action cut into jobs (tests/test_followup_queue.py). Neither is a
    # dependency of the module.
    local addons="$MODULE,payment_demo"
    if "$PY" -c 'import importlib.util, sys; sys.exit(importlib.util.find_spec("odoo.addons.queue_job") is None)' 2>/dev/null; then
        addons="$addons,queue_job"
    fi
    echo "$addons"
}

ensure_pure_python() {
    # Enough to run the Odoo-free tests when Odoo itself is missing.
    local python=${APF_PYTHON:-python3}
    [ -x "$PY" ] || "$python" -m venv "$VENV"
    "$PY" -m pip install -q pytest ruff polib lxml 2>/dev/null || true
}

# --------------------------------------------------------------------------
# PostgreSQL: a cluster of the project's own (data folder and socket)
# --------------------------------------------------------------------------
pg_as() {
    # Run a PostgreSQL server command as the cluster's owner (never root).
    if is_root; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

ensure_postgres() {
    local bin
    bin=$(pg_bindir) || true
    [ -n "$bin" ] || die "PostgreSQL is not installed and could not be (apt-get install postgresql)"
    if is_root && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir "$APF_HOME" --shell /usr/sbin/nologin postgres
    fi
    mkdir -p "$PGSOCK"
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        say "creating a PostgreSQL cluster in $PGDATA"
        mkdir -p "$PGDATA"
        if is_root; then chown postgres "$PGBASE" "$PGDATA" "$PGSOCK"; chmod 700 "$PGDATA"; fi
        pg_as "$bin/initdb" -D "$PGDATA" -U "$PGUSER_ODOO" --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    is_root && chown postgres "$PGSOCK"
    if ! pg_as "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
        say "starting PostgreSQL on socket $PGSOCK port $PGPORT"
        pg_as "$bin/pg_ctl" -D "$PGDATA" -l "$PGDATA/server.log" -w \
            -o "-k $PGSOCK -p $PGPORT -c listen_addresses='' -c fsync=off -c full_page_writes=off" start >/dev/null
    fi
    export PGHOST=$PGSOCK PGPORT PGUSER=$PGUSER_ODOO
    PSQL=$bin/psql
}

dropdb_if_exists() { "$PSQL" -q -d postgres -c "DROP DATABASE IF EXISTS \"$1\" WITH (FORCE)" >/dev/null; }
db_exists() { [ "$("$PSQL" -tAq -d postgres -c "SELECT 1 FROM pg_database WHERE datname='$1'")" = 1 ]; }
module_installed() {
    [ "$("$PSQL" -tAq -d "$1" -c "SELECT 1 FROM ir_module_module WHERE name='$MODULE' AND state='installed'" 2>/dev/null)" = 1 ]
}

# --------------------------------------------------------------------------
# Odoo configuration
# --------------------------------------------------------------------------
write_config() {
    # Odoo finds an addon by its folder's name: link the checkout under it.
    # The tests run on a copy instead, because pytest resolves links and
    # names test modules after the physical folder.
    local addons=$WORK/addons
    mkdir -p "$addons" "$WORK/data" "$WORK/mail"
    if [ "${1:-}" = copy ]; then
        addons=$WORK/test-addons
        rm -rf "$addons" && mkdir -p "$addons/$MODULE"
        tar -C "$REPO" --exclude=./.dev --exclude=./.git -cf - . | tar -C "$addons/$MODULE" -xf -
        TEST_ROOT=$addons/$MODULE
    else
        ln -sfn "$REPO" "$addons/$MODULE"
    fi
    local odoo_addons
    odoo_addons=$("$PY" -c 'import odoo.addons, os; print(os.path.dirname(odoo.addons.__file__))')
    CONFIG=$WORK/odoo.conf
    [ "${1:-}" = copy ] && CONFIG=$WORK/odoo-test.conf   # "run" and "test" may run side by side
    cat > "$CONFIG" <<CONF
[options]
addons_path = $odoo_addons,$addons
data_dir = $WORK/data
db_host = $PGSOCK
db_port = $PGPORT
db_user = $PGUSER_ODOO
db_password = False
admin_passwd = $ADMIN_PASSWORD
http_port = $HTTP_PORT
http_interface = $HTTP_INTERFACE
list_db = True
without_demo = False
; every e-mail goes to the local mail catcher of "run", never outside
smtp_server = 127.0.0.1
smtp_port = $SMTP_PORT
CONF
}

odoo_bin() { "$PY" -m odoo -c "$CONFIG" "$@"; }

# --------------------------------------------------------------------------
# Verbs
# --------------------------------------------------------------------------
setup_all() {
    ensure_system "${1:-}"
    ensure_python || die "$ODOO_MISSING"
    ensure_postgres
    write_config
}

cmd_run() {
    setup_all run
    if ! module_installed "$DB"; then
        dropdb_if_exists "$DB"
        say "creating the demo database $DB (account + $MODULE with demo data)"
        odoo_bin -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn
    else
        odoo_bin -d "$DB" -u "$MODULE" --stop-after-init --log-level=warn
    fi
    # Nothing leaves this machine: Odoo's e-mails go to a local SMTP sink.
    "$PY" "$REPO/dev/mailcatcher.py" --port "$SMTP_PORT" --dir "$WORK/mail" &
    local catcher=$!
    trap 'kill $catcher 2>/dev/null' EXIT
    say "e-mails are caught, not sent: each one is written to $WORK/mail as an .eml file"
    say "Odoo is starting on http://$HTTP_INTERFACE:$HTTP_PORT  (login: $ADMIN_LOGIN / password: $ADMIN_PASSWORD, database: $DB)"
    "$PY" -m odoo -c "$CONFIG" -d "$DB" --db-filter="^$DB\$" "$@"
}

cmd_shell() {
    setup_all
    exec "$PY" -m odoo shell -c "$CONFIG" -d "$DB" --no-http "$@"
}

run_pure_tests() {
    (cd "$REPO" && PYTHONPATH=dev/tests "$PY" -m pytest -p no:odoo -p odoo_free -p no:cacheprovider dev/tests "$@")
}

cmd_test() {
    ensure_system test
    if ! ensure_python; then
        ensure_pure_python
        cat >&2 <<MSG

############################################################################
#  ODOO TIER SKIPPED: $ODOO_MISSING
#  Only the tests that need no Odoo run below; the Odoo tests did NOT run.
############################################################################

MSG
        run_pure_tests
        exit $?
    fi
    ensure_postgres
    write_config copy
    say "code checks: ruff"
    "$VENV/bin/ruff" check "$REPO" && "$VENV/bin/ruff" format --check --quiet "$REPO" \
        || die "ruff found problems (fix them, or run: $VENV/bin/ruff format $REPO)"
    say "code checks: pylint-odoo"
    (cd "$TEST_ROOT/.." && "$PY" -m pylint --rcfile="$REPO/.pylintrc" "$MODULE") || die "pylint-odoo found problems"
    say "code checks: README.rst is the one generated from readme/*.md"
    "$PY" "$REPO/dev/gen_readme.py" --check || die "README.rst is out of date: edit readme/*.md and run $PY dev/gen_readme.py"
    local db=${APF_TEST_DB:-apf_test}
    dropdb_if_exists "$db"
    local log=$WORK/install.log
    rm -f "$log"
    say "installing $MODULE on a fresh database $db (log: $log)"
    # Beside the module: see test_addons.
    odoo_bin -d "$db" -i "$(test_addons)" --without-demo=all --stop-after-init --no-http \
        --log-level=info --logfile="$log" || die "installation failed, see $log"
    say "exporting the module's translatable strings (the .pot must list them all)"
    local pot=$WORK/exported.pot
    odoo_bin -d "$db" --i18n-export="$pot" --modules="$MODULE" --stop-after-init --no-http --log-level=warn \
        || die "the translatable strings could not be exported"
    local odoo_addons suite suites=()
    odoo_addons=$("$PY" -c 'import odoo.addons, os; print(os.path.dirname(odoo.addons.__file__))')
    for suite in ${APF_ODOO_SUITES-$ODOO_SUITES}; do
        [ -f "$odoo_addons/$suite" ] || die "Odoo's test file $suite is missing from $odoo_addons"
        suites+=("$odoo_addons/$suite")
    done
    cd "$TEST_ROOT"
    local pytest_env=(APF_INSTALL_LOG="$log" APF_EXPORTED_POT="$pot" APF_REPO="$REPO" APF_ODOO_CONFIG="$CONFIG")
    local pytest_args=(-p no:cacheprovider --odoo-config="$CONFIG" --odoo-database="$db" --odoo-http --odoo-log-level=warn)
    if [ $# -gt 0 ]; then    # a selection (-k expr, a file): everything through pytest
        say "running the selected tests with pytest"
        env "${pytest_env[@]}" "$PY" -m pytest "${pytest_args[@]}" dev/tests tests "${suites[@]}" "$@"
        return
    fi
    # pytest: the Odoo-free checks, the upgrade test (a pytest test: it drives
    # two Odoo versions in subprocesses) and Odoo's own test files with the addon
    # installed; then the addon's suite through Odoo's own runner, as OCA's CI
    # and runboat run it (once: running it twice would double the time).
    say "running the Odoo-free checks, the upgrade test and Odoo's own tests (${#suites[@]} files) with pytest"
    env "${pytest_env[@]}" "$PY" -m pytest "${pytest_args[@]}" dev/tests tests/test_upgrade.py "${suites[@]}"
    say "running the addon's tests with Odoo's own runner (--test-enable --test-tags /$MODULE)"
    local runner_log=$WORK/odoo-runner.log
    rm -f "$runner_log"    # Odoo appends to its log file
    odoo_bin -d "$db" --test-enable --test-tags "/$MODULE" --stop-after-init --log-level=test \
        --logfile="$runner_log" || {
            grep -E -A30 ": (FAIL|ERROR): " "$runner_log" | tail -200 >&2
            grep -E "[0-9]+ failed, [0-9]+ error" "$runner_log" >&2
            die "Odoo's runner reported failures (log: $runner_log)"
        }
    # Its summary, as pytest ends with its own.
    grep -E "post-tests in|[0-9]+ failed, [0-9]+ error" "$runner_log" | sed 's/^.* INFO [^ ]* //' >&2
}

cmd_check() {
    # The developer's quick loop: no code checks, no fresh database, only the
    # test files given (e.g. tests/test_statement_page.py or a -k expression).
    ensure_system test
    ensure_python || die "$ODOO_MISSING"
    ensure_postgres
    write_config copy
    local db=${APF_TEST_DB:-apf_test}
    if module_installed "$db"; then
        say "updating $MODULE on $db"
        # -i: what test_addons adds since the database was made (queue_job)
        odoo_bin -d "$db" -u "$MODULE" -i "$(test_addons)" --stop-after-init --no-http --log-level=warn \
            || die "update failed"
    else
        dropdb_if_exists "$db"
        say "installing $MODULE on a fresh database $db"
        odoo_bin -d "$db" -i "$(test_addons)" --without-demo=all --stop-after-init --no-http \
            --log-level=warn || die "installation failed"
    fi
    cd "$TEST_ROOT"
    APF_REPO=$REPO APF_ODOO_CONFIG=$CONFIG "$PY" -m pytest -p no:cacheprovider \
        --odoo-config="$CONFIG" --odoo-database="$db" --odoo-http --odoo-log-level=warn "$@"
}

cmd_bench() {
    setup_all
    exec "$PY" "$REPO/dev/benchmark.py" -c "$CONFIG" "$@"
}

cmd_followup() {
    setup_all
    exec "$PY" "$REPO/dev/followup_once.py" -c "$CONFIG" -d "$DB" "$@"
}

verb=${1:-}
[ $# -gt 0 ] && shift
case "$verb" in
    run) cmd_run "$@" ;;
    test) cmd_test "$@" ;;
    followup) cmd_followup "$@" ;;
    bench) cmd_bench "$@" ;;
    check) cmd_check "$@" ;;
    shell) cmd_shell "$@" ;;
    *) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac

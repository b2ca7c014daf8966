#!/bin/sh
# update-po.sh - the translation template and catalogs, kept in step with the
# code (see assets/po/README.md).
#
#   scripts/update-po.sh           extract every marked string of kiosk/ into
#                                  assets/po/kiosk.pot, then msgmerge it into
#                                  each assets/po/*.po: new strings arrive
#                                  empty, changed ones marked fuzzy (with the
#                                  old text as #| for the translator), removed
#                                  ones kept as obsolete #~ entries
#   scripts/update-po.sh --check   change nothing; exit 1 when kiosk.pot is not
#                                  what the sources give (a string was added,
#                                  changed or removed without running this)
#
# Marked strings: TR(u, "...") and TRN(u, "one", "many", n) in kiosk/ui
# (kiosk/ui/view.h), N_("...") and NC_("context", "...") anywhere in kiosk/
# (kiosk/core/i18n.h).  --check compares message ids only: moved lines, new
# comments and the creation date do not count.
#
# Needs xgettext, msgmerge (Debian package gettext; scripts/install-deps.sh).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
podir="$root/assets/po"
pot="$podir/kiosk.pot"

mode=update
case "${1:-}" in
  "") ;;
  --check) mode=check ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

for tool in xgettext msgmerge; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "update-po: $tool not found (apt-get install gettext, or scripts/install-deps.sh)" >&2
    exit 2
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# Sources relative to the root, so references read kiosk/ui/screen_done.c:21.
(cd "$root" && find kiosk -name '*.[ch]' | LC_ALL=C sort) > "$tmp/files"

(cd "$root" && xgettext --language=C --from-code=UTF-8 --files-from="$tmp/files" \
  --keyword --keyword=TR:2 --keyword=TRN:2,3 --keyword=N_ --keyword=NC_:1c,2 \
  --add-comments=TRANSLATORS: --no-wrap \
  --package-name=kiosk --msgid-bugs-address="see assets/po/README.md" \
  --output="$tmp/raw.pot")
# xgettext's boilerplate comments ("SOME DESCRIPTIVE TITLE") replaced by ours.
{
  echo "# Translation template of the sign-in kiosk: every string it shows."
  echo "# Made by scripts/update-po.sh from the sources; do not edit by hand."
  echo "# Translators: see assets/po/README.md."
  echo "#"
  sed -n '/^#, fuzzy/,$p' "$tmp/raw.pot"
} > "$tmp/kiosk.pot"

# The message ids of a PO/POT file, one entry a line, sorted: comments and
# the header dropped, continued strings joined.
ids() {
  awk '
    function flush() {
      if (e != "" && e !~ /^msgid ""\036msgstr/) print e
      e = ""
    }
    /^#/ || /^[ \t]*$/ { flush(); next }
    /^[ \t]*"/ { sub(/"[ \t]*$/, "", e); s = $0; sub(/^[ \t]*"/, "", s); e = e s; next }
    { if (e != "") e = e "\036"; e = e $0 }
    END { flush() }
  ' "$1" | LC_ALL=C sort
}

if [ "$mode" = check ]; then
  if [ ! -f "$pot" ]; then
    echo "update-po: $pot is missing: run scripts/update-po.sh" >&2
    exit 1
  fi
  ids "$pot" > "$tmp/committed"
  ids "$tmp/kiosk.pot" > "$tmp/current"
  if ! cmp -s "$tmp/committed" "$tmp/current"; then
    echo "update-po: assets/po/kiosk.pot is out of date with the sources." >&2
    echo "Run scripts/update-po.sh, translate the new strings in every assets/po/*.po," >&2
    echo "and commit them.  Messages ('+' in the code, '-' only in kiosk.pot):" >&2
    diff "$tmp/committed" "$tmp/current" | sed -n 's/^> /  + /p; s/^< /  - /p' |
      awk '{ sub(/\036msgstr.*/, ""); gsub(/\036/, " "); print }' >&2
    exit 1
  fi
  echo "update-po: kiosk.pot is current ($(grep -c '^msgid ' "$tmp/kiosk.pot") entries with the header)"
  exit 0
fi

# Keep the committed template when only its creation date would change.
if [ -f "$pot" ] && cmp -s "$(sed '/^"POT-Creation-Date:/d' "$pot" > "$tmp/a"; echo "$tmp/a")" \
                          "$(sed '/^"POT-Creation-Date:/d' "$tmp/kiosk.pot" > "$tmp/b"; echo "$tmp/b")"; then
  echo "update-po: kiosk.pot unchanged"
else
  cp "$tmp/kiosk.pot" "$pot"
  echo "update-po: wrote $pot"
fi

for po in "$podir"/*.po; do
  [ -e "$po" ] || continue
  msgmerge --quiet --update --backup=none --previous --no-wrap "$po" "$pot"
  echo "update-po: merged $(basename "$po")"
done

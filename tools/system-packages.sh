#!/usr/bin/env bash
# The Debian packages Vraagbaak's document readers call as programs (knowledge/formats/), and the
# dictionaries its search reads:
#   antiword                        Word 97-2003 (.doc) files
#   tesseract-ocr tesseract-ocr-nld scanned PDF pages (OCR, Dutch)
#   dict-freedict-eng-nld dict-freedict-nld-eng
#                                   English <-> Dutch words for the full-text search of a question in
#                                   the other language than the documents (language/translation.py)
#
#   tools/system-packages.sh --check     say what is missing and how to install it (exit 1 if anything is)
#   tools/system-packages.sh --install   install what is missing with apt-get (as root, or through sudo)
set -euo pipefail
PACKAGES=(antiword tesseract-ocr tesseract-ocr-nld dict-freedict-eng-nld dict-freedict-nld-eng)

missing() {
  local package
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || echo "$package"
  done
}

case "${1:-}" in
  --check)
    gone=$(missing | tr '\n' ' ')
    if [ -n "$gone" ]; then
      echo "Ontbrekende systeempakketten: ${gone}" >&2
      echo "  Zonder deze pakketten worden .doc-bestanden en gescande PDF-pagina's niet gelezen, zoekt een" >&2
      echo "  Engelse vraag in Nederlandse tekst zonder vertaalde woorden, en slaan hun tests over." >&2
      echo "  Installeer ze met: sudo apt-get install ${gone}" >&2
      exit 1
    fi
    ;;
  --install)
    gone=$(missing | tr '\n' ' ')
    [ -z "$gone" ] && exit 0
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    # shellcheck disable=SC2086  # one word per package
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $gone
    ;;
  *)
    echo "gebruik: $0 --check | --install" >&2
    exit 2
    ;;
esac

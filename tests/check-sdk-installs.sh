#!/usr/bin/env bash
# Runs the install lines at the top of docs/sdk.md as written, in fresh app folders, against a clean copy of this
# repository (what git tracks, plus new files it does not ignore: no bin/, dist/ or node_modules/), and checks what they
# installed: the Tollgate.Client package carries its README, XML docs and the wire contracts' assembly and an ASP.NET Core app using RequireQuota builds
# on it; the Python package (its FastAPI module and py.typed too) imports from a venv, installed by docs/sdk.md's line and
# by docs/sdk-python.md's Debian line (FastAPI from apt, no extra); the TypeScript package imports (ESM) and requires
# (CommonJS) from node_modules with its dist/ built; the React package, installed by docs/sdk-react.md's line, imports
# with its dist/ built.
# PyPI is not reachable here, so the Python line runs as the doc's offline variant (--no-index --no-build-isolation).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=/usr/bin/python3 # Debian's: its setuptools and httpx are what the offline install uses
# pip, venv and setuptools build and install the wheel offline; httpx and FastAPI are taken from Debian's packages.
missing=()
for pkg in python3-pip python3-venv python3-setuptools python3-httpx python3-fastapi; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "check-sdk-installs: installing ${missing[*]} through apt"
  if [ "$(id -u)" -eq 0 ]; then sudo=(); else sudo=(sudo); fi
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
scratch=$(mktemp -d /tmp/tollgate-sdk-installs.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
clone="$scratch/tollgate"
mkdir "$clone"
(cd "$root" && git ls-files -z -co --exclude-standard | xargs -0 cp --parents -t "$clone")

# A doc's install blocks: every line of the ```sh blocks under "## Install" that starts with the tool (and names the
# clone, /path/to/tollgate), with the clone's path put in. The doc is docs/sdk.md unless a second argument names another.
install_lines() {
  "$python" - "$root/docs/${2:-sdk.md}" "$clone" "$1" <<'PY'
import re, sys
doc, clone, tool = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2], sys.argv[3]
section = doc.split("\n## Install\n", 1)[1].split("\n## ", 1)[0]
lines = [l for b in re.findall(r"```sh\n(.*?)```", section, re.S) for l in b.splitlines()
         if l.startswith(tool + " ") and "/path/to/tollgate" in l]
if not lines:
    sys.exit(f"{sys.argv[1]}: no '{tool}' line under ## Install")
print("\n".join(l.replace("/path/to/tollgate", clone) for l in lines))
PY
}
run_lines() { # runs each line in the current folder, echoing it
  while IFS= read -r line; do echo "+ $line"; bash -c "$line" </dev/null; done
}

echo "check-sdk-installs: .NET"
mkdir "$scratch/app-dotnet" && cd "$scratch/app-dotnet"
dotnet new web -n InstallCheck -o . >/dev/null
# A fresh NuGet cache, so the package restored is the one just packed, not an older copy of the same version.
export NUGET_PACKAGES="$scratch/nuget"
install_lines dotnet | run_lines
nupkg=$(ls "$clone"/artifacts/packages/Tollgate.Client.*.nupkg)
"$python" - "$nupkg" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
nuspec = zipfile.ZipFile(sys.argv[1]).read("Tollgate.Client.nuspec").decode("utf-8-sig")
missing = [n for n in ("README.md", "lib/net10.0/Tollgate.Client.dll", "lib/net10.0/Tollgate.Client.xml",
                       "lib/net10.0/Tollgate.Contracts.dll", "lib/net10.0/Tollgate.Contracts.xml") if n not in names]
assert not missing, f"{sys.argv[1]} lacks {missing}"
assert "<readme>README.md</readme>" in nuspec, "the nuspec names no readme"
PY
cat > Program.cs <<'CS'
using Tollgate.Client;
using Tollgate.Client.AspNetCore;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddTollgate(o =>
{
    o.BaseAddress = new Uri("http://localhost:5080/");
    o.ApiKey = "tg_sk_install_check";
});
var app = builder.Build();
app.MapPost("/cv/generate", () => "done").RequireQuota("cv_generate");
app.Run();
CS
dotnet build -nologo -v quiet -warnaserror >/dev/null
echo "check-sdk-installs: $(basename "$nupkg") has its README and XML docs; an app using RequireQuota builds on it"

echo "check-sdk-installs: Python"
mkdir "$scratch/app-python" && cd "$scratch/app-python"
"$python" -m venv --system-site-packages venv
install_lines pip | grep -- "--no-index" | PATH="$scratch/app-python/venv/bin:$PATH" run_lines
venv/bin/python - "$scratch/app-python/venv" <<'PY'
import importlib.resources, pathlib, sys
import tollgate, tollgate.fastapi
assert pathlib.Path(tollgate.__file__).is_relative_to(sys.argv[1]), f"tollgate imported from {tollgate.__file__}"
assert importlib.resources.files("tollgate").joinpath("py.typed").is_file(), "py.typed is missing from the installed package"
assert tollgate.Tollgate and tollgate.AsyncTollgate and tollgate.fastapi.require_quota
PY
echo "check-sdk-installs: tollgate (with its FastAPI module and py.typed) installs into a venv without PyPI"

# docs/sdk-python.md's Debian line: FastAPI (and its starlette) from apt, the SDK without the [fastapi] extra.
mkdir "$scratch/app-python-debian" && cd "$scratch/app-python-debian"
"$python" -m venv --system-site-packages venv
install_lines pip sdk-python.md | PATH="$scratch/app-python-debian/venv/bin:$PATH" run_lines
venv/bin/python - "$scratch/app-python-debian/venv" <<'PY'
import pathlib, sys
import fastapi, tollgate, tollgate.fastapi
assert pathlib.Path(tollgate.__file__).is_relative_to(sys.argv[1]), f"tollgate imported from {tollgate.__file__}"
assert tollgate.fastapi.require_quota and tollgate.fastapi.QuotaStatusMiddleware
print(f"check-sdk-installs: docs/sdk-python.md's Debian line works with apt's FastAPI {fastapi.__version__}")
PY

echo "check-sdk-installs: TypeScript"
# npm prefers its cache to the registry, as examples/typescript's README test has it: the lockfiles pin every version,
# and the revalidation cost about 1.5 CPU seconds an install. It is set in a user config (the machine's, plus the line),
# under a HOME of its own, since the packages' prepare scripts start their nested `npm ci` without npm_config_* settings.
npm_home="$scratch/npm-home"
mkdir "$npm_home"
{ cat "$(npm config get userconfig)" 2>/dev/null || true; echo "cache=$(npm config get cache)"; echo "prefer-offline=true"; } \
  >"$npm_home/.npmrc"
mkdir "$scratch/app-typescript" && cd "$scratch/app-typescript"
npm init -y >/dev/null
install_lines npm | HOME="$npm_home" run_lines
test -f node_modules/@tollgate/sdk/dist/index.js || { echo "check-sdk-installs: npm install did not build dist/" >&2; exit 1; }
node --input-type=module -e 'import { Tollgate } from "@tollgate/sdk"; import { requireQuota } from "@tollgate/sdk/express";
if (typeof Tollgate !== "function" || typeof requireQuota !== "function") process.exit(1);'
node -e 'const { Tollgate } = require("@tollgate/sdk"); const { requireQuota } = require("@tollgate/sdk/express");
if (typeof Tollgate !== "function" || typeof requireQuota !== "function") process.exit(1);'
echo "check-sdk-installs: @tollgate/sdk installs and builds its dist/ (import) and dist/cjs/ (require)"

echo "check-sdk-installs: React"
mkdir "$scratch/app-react" && cd "$scratch/app-react"
npm init -y >/dev/null
install_lines npm sdk-react.md | HOME="$npm_home" run_lines
test -f node_modules/@tollgate/react/dist/index.js || { echo "check-sdk-installs: npm install did not build @tollgate/react's dist/" >&2; exit 1; }
test -f node_modules/@tollgate/react/dist/styles.css || { echo "check-sdk-installs: @tollgate/react's dist/ lacks styles.css" >&2; exit 1; }
node --input-type=module -e 'import { PricingTable, TollgateProvider, UsageMeter } from "@tollgate/react";
if ([PricingTable, TollgateProvider, UsageMeter].some((c) => typeof c !== "function")) process.exit(1);'
echo "check-sdk-installs: @tollgate/react installs, builds its dist/ and imports"

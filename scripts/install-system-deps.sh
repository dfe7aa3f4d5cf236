#!/usr/bin/env bash
# Installs the Debian packages the WebGPU tests need (docs/toolchain.md "WebGPU without a GPU"):
# libvulkan1 + chromium give Dawn the SwiftShader Vulkan adapter (chromium ships
# /usr/lib/chromium/vk_swiftshader_icd.json, and is the headless browser for browser tests);
# libegl-dev pulls Mesa's EGL/llvmpipe for the OpenGL ES compatibility adapter.
# Idempotent and quiet: does nothing when everything is installed. Runs as root (as CI does).
set -euo pipefail

packages=(libvulkan1 chromium libegl-dev)

missing=()
for pkg in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-system-deps: ${packages[*]} already installed"
  exit 0
fi

echo "install-system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-system-deps: done"

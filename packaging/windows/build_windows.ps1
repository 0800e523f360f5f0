# Builds the Windows installer of one flavour, from a clean checkout, in PowerShell:
#
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build_windows.ps1 -Flavour lite
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build_windows.ps1 -Flavour full
#
# Needs: Python 3.11 x64 (the `py` launcher), Inno Setup 6 (ISCC.exe; winget install JRSoftware.InnoSetup).
# Output: dist\dam-desktop-lite-<version>-setup.exe or dist\dam-desktop-<version>-setup.exe.
# PyPI's Windows torch wheels are CPU-only, so the full flavour needs no special index.
param(
    [ValidateSet("lite", "full")] [string] $Flavour = "lite",
    [string] $Iscc = "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe"
)
$ErrorActionPreference = "Stop"
Set-Location (Resolve-Path "$PSScriptRoot\..\..")
$Root = (Get-Location).Path
$Work = "$Root\build\packaging"
$Venv = "$Work\venv-$Flavour"
$Version = (Select-String -Path dam_desktop\__init__.py -Pattern '^__version__ = "(.*)"').Matches[0].Groups[1].Value

function Invoke-Checked { & $args[0] $args[1..($args.Count - 1)]; if ($LASTEXITCODE) { throw "failed: $args" } }

if (-not (Test-Path "$Venv\Scripts\python.exe")) { Invoke-Checked py -3.11 -m venv $Venv }
Invoke-Checked "$Venv\Scripts\python.exe" -m pip install -r requirements\app.txt -r requirements\packaging.txt
if ($Flavour -eq "full") {
    # torch/torchvision at the pins of requirements\ml.txt (CPU wheels on Windows), then the rest.
    Invoke-Checked "$Venv\Scripts\python.exe" -m pip install -r requirements\ml.txt
}
Invoke-Checked "$Venv\Scripts\python.exe" packaging\render_icons.py "$Work\icons"

$env:DAM_FLAVOUR = $Flavour
$env:DAM_ICON_DIR = "$Work\icons"
Invoke-Checked "$Venv\Scripts\pyinstaller.exe" --noconfirm --distpath "$Work\dist-$Flavour" --workpath "$Work\work-$Flavour" packaging\dam-desktop.spec
$Reported = & "$Work\dist-$Flavour\dam-desktop\dam-desktop.exe" --version
if ($Reported -ne "dam-desktop $Version") { throw "bundle says '$Reported'" }

New-Item -ItemType Directory -Force dist | Out-Null
Invoke-Checked $Iscc "/DFlavour=$Flavour" "/DAppVersion=$Version" "/DDistDir=$Work\dist-$Flavour\dam-desktop" `
    "/DIconFile=$Work\icons\dam-desktop.ico" "/DOutputDir=$Root\dist" packaging\windows\dam-desktop.iss
Get-ChildItem dist\*setup.exe | Format-Table Name, Length

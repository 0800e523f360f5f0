; Inno Setup 6 script for dam-desktop on Windows 10/11 (x64).
; Built on Windows by packaging\windows\build_windows.ps1, which runs PyInstaller first:
;   ISCC.exe /DFlavour=lite /DDistDir=<repo>\build\packaging\dist-lite\dam-desktop /DIconFile=<repo>\build\packaging\icons\dam-desktop.ico /DOutputDir=<repo>\dist packaging\windows\dam-desktop.iss
; Flavour "full" (with CPU torch, model features) or "lite" (without).

#ifndef Flavour
  #define Flavour "lite"
#endif
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef DistDir
  #error Pass /DDistDir=<folder holding dam-desktop.exe and _internal>
#endif
#ifndef IconFile
  #define IconFile DistDir + "\..\..\icons\dam-desktop.ico"
#endif
#ifndef OutputDir
  #define OutputDir "."
#endif
#if Flavour == "full"
  #define PackageName "dam-desktop"
#else
  #define PackageName "dam-desktop-lite"
#endif

[Setup]
; One AppId for both flavours: installing one replaces the other, as on Linux.
AppId={{6E1B3C52-7C55-4F4E-9E0B-2B7B0D5A9D11}
AppName=dam-desktop
AppVersion={#AppVersion}
AppVerName=dam-desktop {#AppVersion} ({#Flavour})
AppPublisher=dam-desktop developers
DefaultDirName={autopf}\dam-desktop
DefaultGroupName=dam-desktop
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\dam-desktop-gui.exe
OutputDir={#OutputDir}
OutputBaseFilename={#PackageName}-{#AppVersion}-setup
SetupIconFile={#IconFile}
Compression=lzma2/max
SolidCompression=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
PrivilegesRequired=admin
PrivilegesRequiredOverridesAllowed=dialog
ChangesEnvironment=yes
ChangesAssociations=yes
WizardStyle=modern

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add dam-desktop to the PATH (command line: dam-desktop --help)"; GroupDescription: "Command line:"
Name: "folderverb"; Description: "Add ""Open with dam-desktop"" to the menu of folders"; GroupDescription: "Explorer:"

[Files]
Source: "{#DistDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\dam-desktop"; Filename: "{app}\dam-desktop-gui.exe"; Comment: "Browse, tag and search images and sounds"
Name: "{autodesktop}\dam-desktop"; Filename: "{app}\dam-desktop-gui.exe"; Tasks: desktopicon

[Registry]
; "Open with dam-desktop" on a folder opens it as a library (the Linux .desktop entry does the same).
Root: HKA; Subkey: "Software\Classes\Directory\shell\dam-desktop"; ValueType: string; ValueName: ""; ValueData: "Open with dam-desktop"; Flags: uninsdeletekey; Tasks: folderverb
Root: HKA; Subkey: "Software\Classes\Directory\shell\dam-desktop"; ValueType: string; ValueName: "Icon"; ValueData: """{app}\dam-desktop-gui.exe"",0"; Tasks: folderverb
Root: HKA; Subkey: "Software\Classes\Directory\shell\dam-desktop\command"; ValueType: string; ValueName: ""; ValueData: """{app}\dam-desktop-gui.exe"" --library ""%1"""; Tasks: folderverb

[Run]
Filename: "{app}\dam-desktop-gui.exe"; Description: "{cm:LaunchProgram,dam-desktop}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
Type: dirifempty; Name: "{app}"

[Code]
{ PATH entry for the console executable dam-desktop.exe: added once, removed on uninstall. }
function EnvironmentKey(): String;
begin
  if IsAdminInstallMode() then
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
  else
    Result := 'Environment';
end;

function EnvironmentRoot(): Integer;
begin
  if IsAdminInstallMode() then
    Result := HKEY_LOCAL_MACHINE
  else
    Result := HKEY_CURRENT_USER;
end;

procedure AddToPath(Dir: String);
var
  Paths: String;
begin
  if not RegQueryStringValue(EnvironmentRoot(), EnvironmentKey(), 'Path', Paths) then
    Paths := '';
  if Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';') > 0 then
    exit;
  if (Paths <> '') and (Copy(Paths, Length(Paths), 1) <> ';') then
    Paths := Paths + ';';
  RegWriteExpandStringValue(EnvironmentRoot(), EnvironmentKey(), 'Path', Paths + Dir);
end;

procedure RemoveFromPath(Dir: String);
var
  Paths: String;
  P: Integer;
begin
  if not RegQueryStringValue(EnvironmentRoot(), EnvironmentKey(), 'Path', Paths) then
    exit;
  P := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';');
  if P = 0 then
    exit;
  { P is where ';Dir;' starts in ';' + Paths + ';': drop Dir with the separator before it, or after
    it when Dir comes first. }
  if P = 1 then
    Delete(Paths, 1, Length(Dir) + 1)
  else
    Delete(Paths, P - 1, Length(Dir) + 1);
  RegWriteExpandStringValue(EnvironmentRoot(), EnvironmentKey(), 'Path', Paths);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if (CurStep = ssPostInstall) and WizardIsTaskSelected('addtopath') then
    AddToPath(ExpandConstant('{app}'));
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RemoveFromPath(ExpandConstant('{app}'));
end;

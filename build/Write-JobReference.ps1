<#
.SYNOPSIS
    Writes the job reference (docs/Jobs.md and the about_RemediationTools_Jobs help topic) from the catalog.
.DESCRIPTION
    Everything comes from Get-RemediationJob of the built module: each job's ID, aliases, rule IDs, Security Hub
    controls, IAM actions, undo IAM actions, Invoke-Remediation parameters, whether it is disruptive or irreversible,
    and its impact text. build.ps1 -Task Build runs it in a child `dotnet pwsh` after staging the module, so the
    committed docs/Jobs.md and the compiled about topic always say what the catalog does;
    tests/Pester/JobReference.Tests.ps1 fails when the committed page differs. To regenerate by hand:

        dotnet pwsh ./build.ps1 -Task Build      # or, with the module built:
        dotnet pwsh -NoProfile -File build/Write-JobReference.ps1 -ModulePath out/RemediationTools -JobsPath docs/Jobs.md

    With -PassThru nothing is written: the two texts are returned (Page, About), for the test.
#>
[CmdletBinding()]
param(
    # The staged module folder (out/RemediationTools); when omitted, the RemediationTools module already imported.
    [string] $ModulePath,
    # Where the markdown page goes (docs/Jobs.md).
    [string] $JobsPath,
    # Where the about topic's markdown goes (compiled with the other help pages into about_RemediationTools_Jobs.help.txt).
    [string] $AboutPath,
    [switch] $PassThru
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

if ($ModulePath) {
    Import-Module (Join-Path $ModulePath 'RemediationTools.psd1') -Force
}

# Text of the catalog in markdown: <placeholders> would be read as HTML tags and vanish.
function Format-Text([string] $Text) { $Text -replace '<', '\<' -replace '>', '\>' }

function Format-Code([string[]] $Values) {
    if (@($Values).Count -eq 0) { return 'none' }
    (@($Values) | ForEach-Object { '`' + $_ + '`' }) -join ', '
}

function Get-JobFacts($Job) {
    # One line per fact: the same list in the page and in the about topic.
    $parameters = if (@($Job.Parameters).Count -eq 0) { 'none' } else {
        (@($Job.Parameters) | ForEach-Object { '`-' + $_.Name + '` (default `' + $_.DefaultValue + '`): ' + (Format-Text $_.Description) }) -join ' '
    }
    $behaviour = @(
        if ($Job.Disruptive) { 'disruptive: runs only with `-AllowDisruptive`' } else { 'not disruptive' }
        if ($Job.Irreversible) { 'irreversible: ConfirmImpact High, Invoke-Remediation asks before the change (`-Force` in automation)' } else { 'ConfirmImpact Medium' }
        if ($Job.UndoIrreversible) { 'its undo cannot restore the state exactly: Undo-Remediation asks first' }
    ) -join '; '
    @(
        "- Aliases: $(Format-Code $Job.Aliases)"
        "- Service and resource: $($Job.Service), $($Job.ResourceType)"
        "- Rule IDs: $(Format-Code $Job.RuleIds)"
        "- Security Hub controls: $(if (@($Job.SecurityHubControls).Count -eq 0) { 'none' } else { @($Job.SecurityHubControls) -join ', ' })"
        "- IAM actions: $(Format-Code $Job.IamActions)"
        "- Undo IAM actions (beyond the IAM actions): $(Format-Code $Job.UndoIamActions)"
        "- Parameters: $parameters"
        "- Behaviour: $behaviour"
        "- Impact: $(Format-Text $Job.Impact)"
    )
}

$jobs = @(Get-RemediationJob)
$generated = 'Generated from the job catalog by `build/Write-JobReference.ps1` (`./build.ps1 -Task Build` runs it); do not edit by hand.'

$page = [System.Collections.Generic.List[string]]::new()
$page.Add('# Remediation jobs')
$page.Add('')
$page.Add("The $($jobs.Count) jobs of the RemediationTools catalog, in catalog order, as ``Get-RemediationJob`` shows them. " +
    'A finding selects its job by rule ID (the worker payload''s `RuleID`), by Security Hub control (ASFF findings), or by ' +
    '`Invoke-Remediation -Job`; `Get-RemediationPolicy -Job` gives the IAM policy of a set of jobs. ' + $generated)
$page.Add('')
$page.Add('| Job | Service | Resource | Security Hub | Disruptive |')
$page.Add('|---|---|---|---|---|')
foreach ($job in $jobs) {
    $controls = if (@($job.SecurityHubControls).Count -eq 0) { '' } else { @($job.SecurityHubControls) -join ', ' }
    $anchor = $job.Id.ToLowerInvariant()
    $page.Add("| [$($job.Id)](#$anchor) | $($job.Service) | $($job.ResourceType) | $controls | $(if ($job.Disruptive) { 'yes' } else { '' }) |")
}
foreach ($job in $jobs) {
    $page.Add('')
    $page.Add("## $($job.Id)")
    $page.Add('')
    $page.Add("$(Format-Text $job.Title).")
    $page.Add('')
    foreach ($line in Get-JobFacts $job) { $page.Add($line) }
}
$pageText = ($page -join "`n") + "`n"

$about = [System.Collections.Generic.List[string]]::new()
$about.Add('# about_RemediationTools_Jobs')
$about.Add('')
$about.Add('## SHORT DESCRIPTION')
$about.Add('Every remediation job of the catalog: rule IDs, Security Hub controls, IAM actions, parameters and behaviour.')
$about.Add('')
$about.Add('## LONG DESCRIPTION')
$about.Add("The $($jobs.Count) jobs of the RemediationTools catalog, in catalog order. A finding selects its job by rule ID, " +
    'by Security Hub control (ASFF findings) or by `Invoke-Remediation -Job`. `Get-RemediationJob` lists the same facts ' +
    'as objects; `Get-RemediationPolicy -Job` gives the IAM policy of a set of jobs. The same reference is docs/Jobs.md ' +
    'in the repository. ' + $generated)
foreach ($job in $jobs) {
    $about.Add('')
    $about.Add("### $($job.Id)")
    $about.Add("$(Format-Text $job.Title).")
    $about.Add('')
    foreach ($line in Get-JobFacts $job) { $about.Add($line) }
}
$about.Add('')
$about.Add('## SEE ALSO')
$about.Add('Get-RemediationJob')
$about.Add('')
$about.Add('Get-RemediationPolicy')
$about.Add('')
$about.Add('Invoke-Remediation')
$about.Add('')
$about.Add('about_RemediationTools')
$aboutText = ($about -join "`n") + "`n"

if ($PassThru) {
    return [pscustomobject]@{ Page = $pageText; About = $aboutText }
}
if ($JobsPath) {
    $before = if (Test-Path -LiteralPath $JobsPath) { Get-Content -Raw -LiteralPath $JobsPath } else { $null }
    if ($before -ne $pageText) {
        [IO.File]::WriteAllText($JobsPath, $pageText, [Text.UTF8Encoding]::new($false))
        Write-Host "   $JobsPath regenerated from the catalog: commit it."
    }
}
if ($AboutPath) {
    $null = New-Item -ItemType Directory -Path (Split-Path -Parent $AboutPath) -Force
    [IO.File]::WriteAllText($AboutPath, $aboutText, [Text.UTF8Encoding]::new($false))
}

# Source manifest of the RemediationTools module. build.ps1 stamps it into out/RemediationTools/:
# ModuleVersion from <VersionPrefix> in Directory.Build.props, and CmdletsToExport from the cmdlet
# types of the compiled RemediationTools.dll (sorted). Do not import the module from the source tree.
@{
    RootModule           = 'RemediationTools.dll'
    ModuleVersion        = '0.0.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '6f1d7c3e-52a4-4b8e-9d0f-3c2a71e5b9d4'
    Author               = 'RemediationTools developers'
    CompanyName          = 'RemediationTools'
    Copyright            = 'Copyright (c) RemediationTools developers'
    Description          = 'Fixes AWS security findings in many accounts from one place: least-privilege account roles, worker groups, remediation workers and a catalog of exact, verifiable remediation jobs.'
    PowerShellVersion    = '5.1'
    FormatsToProcess     = @('RemediationTools.Format.ps1xml')
    CmdletsToExport      = @()
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags = @('AWS', 'Security', 'Remediation', 'Compliance', 'SecurityHub', 'EC2', 'IAM', 'PSEdition_Core', 'PSEdition_Desktop', 'Linux', 'Windows', 'MacOS')
            # Prerelease = ''
        }
    }
}

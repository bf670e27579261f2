# Errors a user reads name the bad value (and the parameter in PowerShell's words), never .NET's
# " (Parameter 'x')" suffix or an exception type name.

BeforeAll {
    Import-Module (Join-Path $env:REMEDIATION_MODULE_PATH 'RemediationTools.psd1') -Force

    function Get-ErrorText([scriptblock] $Command) {
        try { & $Command; throw 'The command wrote no error.' }
        catch { $_ }
    }
}

Describe 'Error messages' {
    It 'names the value of <Parameter> and its parameter, without a .NET suffix' -ForEach @(
        @{ Parameter = 'KmsKeyId'; Value = 'bad key'; Id = 'KmsKeyIdInvalid'; Extra = @{ Job = 's3-enable-default-encryption'; ResourceId = 'bucket-1'; KmsKeyId = 'bad key' } }
        @{ Parameter = 'LoggingBucketPrefix'; Value = 'BAD'; Id = 'LoggingBucketPrefixInvalid'; Extra = @{ Job = 's3-enable-access-logging'; ResourceId = 'bucket-1'; LoggingBucketPrefix = 'BAD' } }
    ) {
        $arguments = $Extra + @{ AccountId = '111111111111'; Region = 'us-east-1'; WhatIf = $true; ErrorAction = 'Stop' }
        $record = Get-ErrorText { Invoke-Remediation @arguments }
        $record.FullyQualifiedErrorId | Should -Be "$Id,RemediationTools.Commands.InvokeRemediationCommand"
        $record.Exception.Message | Should -BeLike "*'$Value'*(-$Parameter)*"
        $record.Exception.Message | Should -Not -BeLike '*(Parameter *'
    }

    It 'names a bad trust narrowing of New-RemediationAccountRole without a .NET suffix' {
        $record = Get-ErrorText {
            New-RemediationAccountRole -HostingAccountId 111111111111 -OrganizationId 'org-1' -ExternalId o-a1b2c3d4e5 `
                -AccessKey AKIAEXAMPLE -SecretKey x -Region us-east-1 -EndpointUrl 'http://127.0.0.1:9' -ErrorAction Stop
        }
        $record.FullyQualifiedErrorId | Should -Be 'RoleRequestInvalid,RemediationTools.Commands.NewRemediationAccountRoleCommand'
        $record.Exception.Message | Should -BeLike "*'org-1' is not an organization ID*"
        $record.Exception.Message | Should -Not -BeLike '*(Parameter *'
        $record.Exception.Message | Should -Not -BeLike '*Exception*'
    }
}

Describe 'Error messages of role ARNs' {
    It 'names a bad -RoleArn of Invoke-Remediation without a .NET suffix' {
        $record = Get-ErrorText {
            Invoke-Remediation -Job security-group-close-port-22 -ResourceId sg-1 -AccountId 111111111111 -Region us-east-1 `
                -RoleArn 'arn:aws:iam::12:role/x' -ExternalId o-a1b2c3d4e5 -WhatIf -ErrorAction Stop
        }
        $record.Exception.Message | Should -BeLike "*'arn:aws:iam::12:role/x' is not an IAM role ARN*"
        $record.Exception.Message | Should -Not -BeLike '*(Parameter *'
    }

    It 'names a bad -CloudAccount entry without a .NET suffix' {
        $record = Get-ErrorText {
            Invoke-Remediation -Job security-group-close-port-22 -ResourceId sg-1 -AccountId 111111111111 -Region us-east-1 `
                -CloudAccount @{ AccountId = '111111111111'; RoleArn = 'arn:aws:iam::222222222222:role/R'; ExternalId = 'o-a1b2c3d4e5' } -WhatIf -ErrorAction Stop
        }
        $record.Exception.Message | Should -BeLike '*111111111111*arn:aws:iam::222222222222:role/R*'
        $record.Exception.Message | Should -Not -BeLike '*(Parameter *'
    }
}

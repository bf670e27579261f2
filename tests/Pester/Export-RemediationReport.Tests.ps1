# Export-RemediationReport against the results of a real run in the AWS sandbox, typed results and recorded runs; the
# HTML page is rendered once in headless Chromium (Debian package chromium) to check what a reader sees.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $null = Import-TestModule
    Import-Module (Join-Path $PSScriptRoot 'WorkerGroupTestHelpers.psm1') -Force
    Import-Module (Join-Path (Get-TestRepositoryRoot) 'tests/RemediationTools.AwsSandbox/PowerShell/AwsSandbox.psm1') -Force -Global
    $script:ctx = Initialize-TestWorkerSandbox -SandboxPath (Get-TestSandboxPath)
    $aws = $ctx.Aws

    # A real run: the 5432 rule of an open group is revoked (Remediated, one change with its before and after).
    $script:groupId = New-TestOpenSecurityGroup -Context $ctx
    $script:remediated = New-TestFindingJson -Context $ctx -GroupId $groupId |
        Invoke-Remediation @aws -RoleArn $ctx.RoleArn -ExternalId $ctx.OrganizationId -Confirm:$false
    $remediated.Status | Should -Be 'Remediated'

    # Findings carry strings others control: this resource ID must show as text, never run.
    $script:hostileId = "sg-<script>document.title='pwned'</script>"
    $script:failed = [RemediationTools.RemediationResult]@{
        JobId = 's3-remove-public-access'; AccountId = '222222222222'; Region = 'eu-west-1'; ResourceId = $hostileId
        Status = 'Failed'; ErrorCode = 'AccessDenied'; Reason = 'The role may not call s3:PutBucketPublicAccessBlock.'
        MissingIamActions = [string[]]@('s3:PutBucketPublicAccessBlock')
    }
    $script:results = @($remediated, $failed)

    function Get-RenderedText([string] $Dom) {
        # What a reader sees: the body's text, without the markup and the style sheet, entities decoded.
        $body = $Dom.Substring($Dom.IndexOf('<body'))
        $text = [regex]::Replace($body, '<[^>]+>', ' ')
        ([System.Net.WebUtility]::HtmlDecode($text) -replace '\s+', ' ').Trim()
    }
}

AfterAll {
    if ($script:ctx) { $script:ctx.Sandbox | Stop-AwsSandbox }
}

Describe 'Export-RemediationReport' {
    Context 'an HTML page' {
        It 'has the totals, the change with its before and after, and the failure with its code, reason and missing actions' {
            $file = Join-Path $TestDrive 'report.html'
            $results | Export-RemediationReport -Path $file -Title 'Pester run'
            $html = Get-Content -Raw -LiteralPath $file
            $html | Should -Match '<title>Pester run</title>'
            $html | Should -Match '<p class="meta">2 results, 1 failure, 1 change\.'
            $html | Should -Match "<tr><td>$($ctx.CloudAccountId)</td><td class=`"number`">1</td>"
            $html | Should -Match '<tr><td>222222222222</td><td class="number">1</td>'
            $html | Should -Match '<tr><td>security-group-close-port-5432</td><td class="number">1</td>'
            $html | Should -Match '<tr><td>eu-west-1</td>'
            $html | Should -Match ([regex]::Escape("<td><code>$groupId</code></td><td>security-group-close-port-5432</td><td class=`"status-Remediated`">Remediated</td><td><code>ec2:RevokeSecurityGroupIngress</code></td>"))
            $html | Should -Match ([regex]::Escape('<pre>' + [System.Net.WebUtility]::HtmlEncode($remediated.Actions[0].Before) + '</pre>'))
            $html | Should -Match ([regex]::Escape('<td><code>AccessDenied</code></td><td>The role may not call s3:PutBucketPublicAccessBlock.</td><td><ul class="actions"><li><code>s3:PutBucketPublicAccessBlock</code></li></ul></td>'))
        }

        It 'encodes every value and loads nothing: no script element, no external reference' {
            $file = Join-Path $TestDrive 'hostile.html'
            $failed | Export-RemediationReport -Path $file -Title '<script>alert(1)</script>'
            $html = Get-Content -Raw -LiteralPath $file
            $html | Should -Not -Match '<script'
            $html | Should -Match ([regex]::Escape('sg-&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;'))
            $html | Should -Match ([regex]::Escape('<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>'))
            $html | Should -Not -Match '(src|href)\s*='
            $html | Should -Match ([regex]::Escape("content=`"default-src 'none'; style-src 'unsafe-inline';"))
        }

        It 'reports the runs of Get-RemediationRun, with and without a result' {
            $folder = New-TestStoreFolder -Root $TestDrive
            $null = New-TestWorkerGroup -Store "local:$folder" -Name prod
            $finished = [datetimeoffset]::UtcNow
            Add-TestRun -Folder $folder -Run ([RemediationTools.RemediationRun]@{
                    Id = 'run-ok'; RequestId = 'run-ok'; WorkerGroup = 'prod'; WorkerId = 'w-1'; Status = 'Completed'; Attempts = 1
                    Enqueued = $finished.AddMinutes(-1); Finished = $finished; Result = $remediated })
            Add-TestRun -Folder $folder -Run ([RemediationTools.RemediationRun]@{
                    Id = 'run-dead'; RequestId = 'run-dead'; WorkerGroup = 'prod'; Status = 'DeadLettered'; Attempts = 3
                    Enqueued = $finished.AddMinutes(-1); Finished = $finished; Error = 'The workers stopped responding.' })
            $file = Join-Path $TestDrive 'runs.html'

            Get-RemediationRun -Store "local:$folder" -WorkerGroup prod | Export-RemediationReport -Path $file

            $html = Get-Content -Raw -LiteralPath $file
            $html | Should -Match '<th>Worker group</th><th>Request</th><th>Run</th>'
            $html | Should -Match '<td>prod</td><td><code>run-dead</code></td><td>DeadLettered, attempt 3</td>'
            $html | Should -Match '<td>prod</td><td><code>run-ok</code></td><td>Completed, attempt 1</td>'
            $html | Should -Match '<h2>Failures \(1\)</h2>'
            $html | Should -Match 'The workers stopped responding\.'

            # The same runs read back from JSON give the same rows.
            $jsonFile = Join-Path $TestDrive 'runs-json.html'
            Get-RemediationRun -Store "local:$folder" -WorkerGroup prod | ConvertTo-Json -Depth 8 | ConvertFrom-Json | Export-RemediationReport -Path $jsonFile
            $fromJson = Get-Content -Raw -LiteralPath $jsonFile
            $fromJson | Should -Match '<td>prod</td><td><code>run-dead</code></td><td>DeadLettered, attempt 3</td>'
            $fromJson | Should -Match '<td>prod</td><td><code>run-ok</code></td><td>Completed, attempt 1</td>'
            $fromJson | Should -Match '<h2>Failures \(1\)</h2>'
            $fromJson | Should -Match 'The workers stopped responding\.'
            $fromJson | Should -Match ([regex]::Escape($remediated.ResourceId))
        }

        It 'takes an array given to -InputObject, as from the pipeline' {
            $file = Join-Path $TestDrive 'array.html'
            Export-RemediationReport -InputObject $results -Path $file
            Get-Content -Raw -LiteralPath $file | Should -Match '<p class="meta">2 results, 1 failure, 1 change\.'
        }

        It 'takes results read back from JSON, by Import-RemediationResult or ConvertFrom-Json' {
            $saved = Join-Path $TestDrive 'saved.json'
            $results | Export-RemediationResult -Path $saved
            $fromImport = Join-Path $TestDrive 'imported.html'
            $fromJson = Join-Path $TestDrive 'json.html'

            Import-RemediationResult -LiteralPath $saved | Export-RemediationReport -Path $fromImport
            Get-Content -Raw -LiteralPath $saved | ConvertFrom-Json | Export-RemediationReport -Path $fromJson

            foreach ($file in $fromImport, $fromJson) {
                Get-Content -Raw -LiteralPath $file | Should -Match '<p class="meta">2 results, 1 failure, 1 change\.'
            }
        }
    }

    Context 'rendered in headless Chromium' {
        BeforeAll {
            $chromium = Get-Command -Name chromium, chromium-browser -CommandType Application -ErrorAction Ignore | Select-Object -First 1
            if ($null -eq $chromium) {
                throw 'Chromium is not installed (Debian package chromium; .ci/run installs it): the rendered report cannot be checked.'
            }

            $file = Join-Path $TestDrive 'rendered.html'
            $results | Export-RemediationReport -Path $file -Title 'Rendered run'
            # One launch for the whole file. --no-sandbox: the tests run as root, where Chromium's sandbox cannot start.
            # --log-level=3 (fatal only): without a D-Bus, Chromium writes dozens of harmless errors to stderr.
            $start = [System.Diagnostics.ProcessStartInfo]::new($chromium.Source)
            foreach ($argument in '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--log-level=3', "--user-data-dir=$(Join-Path $TestDrive 'chromium-profile')",
                '--dump-dom', [uri]::new($file, [UriKind]::Absolute).AbsoluteUri) {
                $start.ArgumentList.Add($argument)
            }
            $start.RedirectStandardOutput = $true
            $start.RedirectStandardError = $true
            $process = [System.Diagnostics.Process]::Start($start)
            $stdout = $process.StandardOutput.ReadToEndAsync()
            $stderr = $process.StandardError.ReadToEndAsync()
            # A guard against a hung browser, not a timing assertion.
            if (-not $process.WaitForExit(120000)) {
                $process.Kill($true)
                throw "Chromium did not exit within two minutes rendering $file."
            }
            $script:dom = $stdout.GetAwaiter().GetResult()
            $errorText = $stderr.GetAwaiter().GetResult()
            if ($process.ExitCode -ne 0 -or -not $dom) {
                throw "Chromium exited with $($process.ExitCode) and no page ($($start.ArgumentList -join " ")): $errorText"
            }
            $script:rendered = Get-RenderedText $dom
        }

        It 'shows the title, the totals and the failure reason' {
            $dom | Should -Match '<title>Rendered run</title>'
            $rendered | Should -Match '^Rendered run 2 results, 1 failure, 1 change\.'
            $rendered | Should -Match 'Summary 1 Remediated 1 Failed'
            $rendered | Should -Match 'By status Status Total Remediated 1 Failed 1'
            $rendered | Should -Match "By account Account Total Remediated Failed $($ctx.CloudAccountId) 1 1 0 222222222222 1 0 1"
            $rendered | Should -Match 'AccessDenied The role may not call s3:PutBucketPublicAccessBlock\. s3:PutBucketPublicAccessBlock'
        }

        It 'shows the change with its state before and after' {
            $rendered | Should -Match ([regex]::Escape("$groupId security-group-close-port-5432 Remediated ec2:RevokeSecurityGroupIngress"))
            $rendered | Should -Match ([regex]::Escape($remediated.Actions[0].Before))
        }

        It 'shows the hostile resource ID as text: no script element, and it did not run' {
            $dom | Should -Not -Match '<script'
            $rendered | Should -Match ([regex]::Escape($hostileId))
            $dom | Should -Not -Match 'pwned</title>'
        }
    }

    Context 'CSV' {
        It 'writes CSV for a .csv path: one row per change or result, with the missing actions' {
            $file = Join-Path $TestDrive 'report.csv'
            $results | Export-RemediationReport -Path $file
            $rows = @(Import-Csv -LiteralPath $file)
            $rows | Should -HaveCount 2
            $rows[0].Status | Should -Be 'Remediated'
            $rows[0].ResourceId | Should -Be $groupId
            $rows[0].Operation | Should -Be 'ec2:RevokeSecurityGroupIngress'
            $rows[0].Before | Should -Be $remediated.Actions[0].Before
            $rows[1].Status | Should -Be 'Failed'
            $rows[1].ResourceId | Should -Be $hostileId
            $rows[1].ErrorCode | Should -Be 'AccessDenied'
            $rows[1].MissingIamActions | Should -Be 's3:PutBucketPublicAccessBlock'
        }

        It 'writes the format -Format names, whatever the extension' {
            $csv = Join-Path $TestDrive 'forced.txt'
            $html = Join-Path $TestDrive 'forced.csv'
            $results | Export-RemediationReport -Path $csv -Format Csv
            $results | Export-RemediationReport -Path $html -Format Html
            (Get-Content -LiteralPath $csv -TotalCount 1) | Should -BeLike '"Status","JobId",*'
            (Get-Content -LiteralPath $html -TotalCount 1) | Should -Be '<!DOCTYPE html>'
        }
    }

    Context 'the file' {
        It 'refuses to overwrite an existing file without -Force, naming it, and overwrites it with -Force' {
            $file = Join-Path $TestDrive 'exists.html'
            Set-Content -LiteralPath $file -Value 'old'
            { $results | Export-RemediationReport -Path $file -ErrorAction Stop } |
                Should -Throw -ErrorId 'FileExists,RemediationTools.Commands.ExportRemediationReportCommand' -ExpectedMessage "*$file*-Force*"
            Get-Content -Raw -LiteralPath $file | Should -Be "old$([Environment]::NewLine)"
            $results | Export-RemediationReport -Path $file -Force
            Get-Content -LiteralPath $file -TotalCount 1 | Should -Be '<!DOCTYPE html>'
        }

        It 'writes nothing with -WhatIf' {
            $file = Join-Path $TestDrive 'whatif.html'
            $results | Export-RemediationReport -Path $file -WhatIf
            Test-Path -LiteralPath $file | Should -BeFalse
        }

        It 'returns the file with -PassThru, and nothing without it' {
            $file = Join-Path $TestDrive 'passthru.html'
            $info = $results | Export-RemediationReport -Path $file -PassThru
            $info | Should -BeOfType ([System.IO.FileInfo])
            $info.FullName | Should -Be (Get-Item -LiteralPath $file).FullName
            $results | Export-RemediationReport -Path (Join-Path $TestDrive 'quiet.html') | Should -BeNullOrEmpty
        }

        It 'takes -LiteralPath as written, brackets included, also by its alias -PSPath' {
            $file = Join-Path $TestDrive '[2026-01] report.html'
            $results | Export-RemediationReport -LiteralPath $file
            Test-Path -LiteralPath $file | Should -BeTrue
            $results | Export-RemediationReport -PSPath (Get-Item -LiteralPath $file).PSPath -Force
            Get-Content -LiteralPath $file -TotalCount 1 | Should -Be '<!DOCTYPE html>'
        }

        It 'fails naming the -Path when its wildcards match no file, and the folder when it does not exist' {
            { $results | Export-RemediationReport -Path (Join-Path $TestDrive 'none*.html') -ErrorAction Stop } |
                Should -Throw -ErrorId 'PathNotFound,RemediationTools.Commands.ExportRemediationReportCommand' -ExpectedMessage '*none`*.html*matches no file*-LiteralPath*'
            $missing = Join-Path $TestDrive 'no-such-folder'
            { $results | Export-RemediationReport -Path (Join-Path $missing 'r.html') -ErrorAction Stop } |
                Should -Throw -ErrorId 'PathNotFound,RemediationTools.Commands.ExportRemediationReportCommand' -ExpectedMessage "*$missing*does not exist*"
        }

        It 'reports an object that is neither a result nor a run as ResultInvalid, with it as target, and still writes the others' {
            $file = Join-Path $TestDrive 'mixed.html'
            @($remediated, 42) | Export-RemediationReport -Path $file -ErrorVariable errs -ErrorAction SilentlyContinue
            $errs | Should -HaveCount 1
            $errs[0].FullyQualifiedErrorId | Should -Be 'ResultInvalid,RemediationTools.Commands.ExportRemediationReportCommand'
            $errs[0].TargetObject | Should -Be 42
            $errs[0].Exception.Message | Should -BeLike '*Int32 is not a remediation result*'
            Get-Content -Raw -LiteralPath $file | Should -Match '<p class="meta">1 result, 0 failures, 1 change\.'
        }
    }
}

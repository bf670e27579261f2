using System.Net;
using System.Net.Sockets;
using System.Text;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace RemediationTools.Core.Tests.Sandbox;

/// <summary>Pins down what the official SDK v4 clients put on the wire, which the sandbox relies on.</summary>
public sealed class SdkWireFormatTests
{
    /// <summary>Accepts one connection, reads one request head and body, answers 500, and returns the request text.</summary>
    private static async Task<string> CaptureAsync(Func<Uri, Task> send)
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var endpoint = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
            var sending = send(endpoint);
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[65536];
            var text = new StringBuilder();
            while (true)
            {
                var read = await stream.ReadAsync(buffer);
                text.Append(Encoding.UTF8.GetString(buffer, 0, read));
                var all = text.ToString();
                var headEnd = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
                if (headEnd >= 0)
                {
                    var lengthLine = all[..headEnd].Split("\r\n").FirstOrDefault(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
                    var length = lengthLine is null ? 0 : int.Parse(lengthLine["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                    if (all.Length >= headEnd + 4 + length)
                    {
                        break;
                    }
                }
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            await Assert.ThrowsAnyAsync<Exception>(() => sending);
            return text.ToString();
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public async Task SecurityTokenClient_GetCallerIdentity_SendsAwsQueryForm()
    {
        var request = await CaptureAsync(async endpoint =>
        {
            using var sts = new AmazonSecurityTokenServiceClient(new BasicAWSCredentials("AKIAEXAMPLEEXAMPLE00", "secret"), new AmazonSecurityTokenServiceConfig
            {
                ServiceURL = endpoint.ToString(),
                AuthenticationRegion = "us-east-1",
                MaxErrorRetry = 0,
            });
            await sts.GetCallerIdentityAsync(new GetCallerIdentityRequest());
        });

        Assert.StartsWith("POST / HTTP/1.1", request, StringComparison.Ordinal);
        Assert.Contains("Content-Type: application/x-www-form-urlencoded", request, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Action=GetCallerIdentity&Version=2011-06-15", request, StringComparison.Ordinal);
        Assert.Contains("/us-east-1/sts/aws4_request", request, StringComparison.Ordinal);
        Assert.DoesNotContain("X-Amz-Target", request, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Ec2Client_DescribeSecurityGroups_SendsEc2QueryForm()
    {
        var request = await CaptureAsync(async endpoint =>
        {
            using var ec2 = new AmazonEC2Client(new BasicAWSCredentials("AKIAEXAMPLEEXAMPLE00", "secret"), new AmazonEC2Config
            {
                ServiceURL = endpoint.ToString(),
                AuthenticationRegion = "eu-west-1",
                MaxErrorRetry = 0,
            });
            await ec2.DescribeSecurityGroupsAsync(new DescribeSecurityGroupsRequest { GroupIds = ["sg-0123456789abcdef0"] });
        });

        Assert.StartsWith("POST / HTTP/1.1", request, StringComparison.Ordinal);
        Assert.Contains("Action=DescribeSecurityGroups", request, StringComparison.Ordinal);
        Assert.Contains("Version=2016-11-15", request, StringComparison.Ordinal);
        Assert.Contains("GroupId.1=sg-0123456789abcdef0", request, StringComparison.Ordinal);
        Assert.Contains("/eu-west-1/ec2/aws4_request", request, StringComparison.Ordinal);
    }
}

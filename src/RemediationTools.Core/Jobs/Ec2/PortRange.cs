using System.Globalization;

namespace RemediationTools.Core.Jobs.Ec2;

/// <summary>An inclusive range of TCP or UDP ports.</summary>
internal readonly struct PortRange : IEquatable<PortRange>
{
    /// <summary>The lowest port number.</summary>
    public const int MinPort = 0;

    /// <summary>The highest port number.</summary>
    public const int MaxPort = 65535;

    /// <summary>Creates the range <paramref name="from"/>..<paramref name="to"/>.</summary>
    public PortRange(int from, int to)
    {
        if (from < MinPort || to > MaxPort || from > to)
        {
            throw new ArgumentOutOfRangeException(nameof(from), string.Format(CultureInfo.InvariantCulture, "{0}-{1} is not a port range.", from, to));
        }

        From = from;
        To = to;
    }

    /// <summary>All ports, 0-65535.</summary>
    public static PortRange All => new(MinPort, MaxPort);

    /// <summary>The first port.</summary>
    public int From { get; }

    /// <summary>The last port.</summary>
    public int To { get; }

    /// <summary>True when <paramref name="port"/> lies in the range.</summary>
    public bool Contains(int port) => port >= From && port <= To;

    /// <summary>
    /// The ranges that remain of this one when <paramref name="ports"/> are taken out, in ascending order:
    /// none when the range holds only those ports, this range when it holds none of them.
    /// </summary>
    public IReadOnlyList<PortRange> Without(IEnumerable<int> ports)
    {
        var remainder = new List<PortRange>();
        var start = From;
        foreach (var port in ports.Where(Contains).Distinct().OrderBy(p => p))
        {
            if (port > start)
            {
                remainder.Add(new PortRange(start, port - 1));
            }

            start = port + 1;
        }

        if (start <= To)
        {
            remainder.Add(new PortRange(start, To));
        }

        return remainder;
    }

    /// <inheritdoc />
    public bool Equals(PortRange other) => From == other.From && To == other.To;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is PortRange other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => (From * 65536) + To;

    /// <summary>Equality.</summary>
    public static bool operator ==(PortRange left, PortRange right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(PortRange left, PortRange right) => !left.Equals(right);

    /// <inheritdoc />
    public override string ToString() => From == To
        ? From.ToString(CultureInfo.InvariantCulture)
        : string.Format(CultureInfo.InvariantCulture, "{0}-{1}", From, To);
}

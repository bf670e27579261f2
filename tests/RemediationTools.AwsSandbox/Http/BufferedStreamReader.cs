using System.Text;

namespace RemediationTools.AwsSandbox.Http;

/// <summary>Reads CRLF lines and exact byte counts from a stream through one buffer.</summary>
internal sealed class BufferedStreamReader
{
    private readonly Stream _stream;
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public BufferedStreamReader(Stream stream) => _stream = stream;

    /// <summary>Reads one line without its line ending; null at end of stream before any byte.</summary>
    public async Task<string?> ReadLineAsync(int maxLength)
    {
        var line = new List<byte>();
        while (true)
        {
            if (_start == _end && !await FillAsync().ConfigureAwait(false))
            {
                return line.Count == 0 ? null : throw new InvalidDataException("Truncated line.");
            }

            var b = _buffer[_start++];
            if (b == (byte)'\n')
            {
                if (line.Count > 0 && line[^1] == (byte)'\r')
                {
                    line.RemoveAt(line.Count - 1);
                }

                return Encoding.Latin1.GetString(line.ToArray());
            }

            line.Add(b);
            if (line.Count > maxLength)
            {
                throw new InvalidDataException("Line too long.");
            }
        }
    }

    /// <summary>Reads exactly <paramref name="count"/> bytes.</summary>
    public async Task<byte[]> ReadExactlyAsync(int count)
    {
        var result = new byte[count];
        var filled = 0;
        while (filled < count)
        {
            if (_start == _end && !await FillAsync().ConfigureAwait(false))
            {
                throw new InvalidDataException("Truncated body.");
            }

            var take = Math.Min(count - filled, _end - _start);
            Array.Copy(_buffer, _start, result, filled, take);
            _start += take;
            filled += take;
        }

        return result;
    }

    private async Task<bool> FillAsync()
    {
        _start = 0;
        _end = await _stream.ReadAsync(_buffer).ConfigureAwait(false);
        return _end > 0;
    }
}

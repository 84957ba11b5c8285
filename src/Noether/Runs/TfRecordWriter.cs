using System.Buffers.Binary;

namespace Noether.Runs;

/// <summary>
/// Writes TFRecord framing: for each record, its length as uint64 little-endian, the masked CRC-32C
/// of those 8 bytes, the data, and the masked CRC-32C of the data (both CRCs uint32 little-endian).
/// </summary>
public sealed class TfRecordWriter(Stream stream) : IDisposable
{
    private readonly Stream _stream = stream;

    public void Write(ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(data));
        _stream.Write(header);
        _stream.Write(data);
        _stream.Write(footer);
    }

    public void Flush() => _stream.Flush();

    public void Dispose() => _stream.Dispose();
}

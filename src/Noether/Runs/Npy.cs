using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Noether.Tensors;

namespace Noether.Runs;

/// <summary>
/// Raised for a malformed or unsupported .npy file. The message is one line naming the file, what was
/// found and what was expected.
/// </summary>
public sealed class NpyFormatException(string message) : FormatException(message);

/// <summary>The header of a .npy file: element type, memory order, shape and where the data starts.</summary>
/// <param name="Descr">numpy dtype string with an explicit byte order, e.g. "&lt;f4", "&gt;i8", "|u1".</param>
/// <param name="Shape">array shape.</param>
/// <param name="DataOffset">byte offset of the first element.</param>
/// <param name="Version">format major version (1, 2 or 3).</param>
/// <param name="FortranOrder">true when the data is stored column-major (first index fastest).</param>
public sealed record NpyHeader(string Descr, int[] Shape, long DataOffset, int Version, bool FortranOrder = false)
{
    /// <summary>Bytes per element.</summary>
    public int ElementSize => Descr[2] - '0';

    /// <summary>Number of elements (the product of the shape; 1 for a 0-d array).</summary>
    public long Count => Shape.Aggregate(1L, (n, d) => n * d);
}

/// <summary>
/// Reads and writes NumPy .npy files (format versions 1, 2 and 3) as NumPy's format specification
/// describes them: float16/32/64, signed and unsigned integers of 1 to 8 bytes and booleans, little-
/// or big-endian, C or Fortran order, any rank (the shape is kept). Every size in a header is checked
/// against the file and <see cref="MemoryLimit"/> before anything is allocated; truncated data, trailing
/// data and malformed headers are one-line <see cref="NpyFormatException"/>s naming the file.
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Longest header accepted (NumPy itself refuses headers over 10 000 bytes by default).</summary>
    public const int MaxHeaderLength = 1 << 16;

    /// <summary>Reads any supported array as doubles.</summary>
    public static Tensor<double> ReadDouble(string path) => Read<double>(path);

    /// <summary>Reads any supported array as floats (wider values are rounded).</summary>
    public static Tensor<float> ReadFloat(string path) => Read<float>(path);

    /// <summary>Reads any supported array from <paramref name="path"/>, converting to <typeparamref name="T"/>.</summary>
    public static Tensor<T> Read<T>(string path) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        FileStream stream;
        try { stream = BoundedFile.OpenRead(path, "NPY file"); }
        catch (UnreadableFileException e) { throw new NpyFormatException(e.Message); }
        using (stream)
        {
            try { return Read<T>(stream, stream.Length, path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new NpyFormatException($"{path}: cannot be read: {e.Message.Split('\n')[0]}");
            }
        }
    }

    /// <summary>
    /// Reads one array from <paramref name="stream"/> holding exactly <paramref name="length"/> bytes of .npy
    /// (an entry of an .npz archive, or a file); <paramref name="origin"/> names it in messages.
    /// </summary>
    public static Tensor<T> Read<T>(Stream stream, long length, string origin) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var prefix = new byte[12];
        int got = stream.ReadAtLeast(prefix, prefix.Length, throwOnEndOfStream: false);
        int headerLength = HeaderLength(origin, prefix.AsSpan(0, got), length);
        int start = prefix[6] == 1 ? 10 : 12;
        var head = new byte[start + headerLength];
        prefix.AsSpan(0, Math.Min(got, head.Length)).CopyTo(head);
        if (got < head.Length) stream.ReadExactly(head.AsSpan(got));
        var header = ParseHeader(origin, head);
        long bytes = header.Count * header.ElementSize;
        long available = length - header.DataOffset;
        if (available != bytes)
            throw new NpyFormatException($"{origin}: {available} bytes of data after the header, expected {bytes} for shape {ShapeText(header.Shape)} of '{header.Descr}'{(available < bytes ? " (file truncated)" : " (trailing bytes)")}");
        var t = new Tensor<T>(header.Shape);
        ReadData(stream, header, t.Span, origin);
        if (stream.ReadByte() >= 0) throw new NpyFormatException($"{origin}: more bytes than its size says; expected exactly {bytes} bytes of data");
        return t;
    }

    /// <summary>Parses and validates the header of a .npy byte image (at least the whole header).</summary>
    public static NpyHeader ParseHeader(string path, ReadOnlySpan<byte> bytes)
    {
        int headerLen = HeaderLength(path, bytes, long.MaxValue);
        int major = bytes[6];
        int start = major == 1 ? 10 : 12;
        if (bytes.Length < start + headerLen)
            throw new NpyFormatException($"{path}: truncated header: found {bytes.Length - start} header bytes, expected {headerLen}");
        var encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        string text = encoding.GetString(bytes.Slice(start, headerLen));

        var descr = Regex.Match(text, @"'descr'\s*:\s*'([^']*)'");
        var fortran = Regex.Match(text, @"'fortran_order'\s*:\s*(True|False)");
        var shape = Regex.Match(text, @"'shape'\s*:\s*\(([^)]*)\)");
        if (!text.TrimStart().StartsWith('{') || !descr.Success || !fortran.Success || !shape.Success)
            throw new NpyFormatException($"{path}: malformed header: found {OneLine(text)}, expected a dict with 'descr', 'fortran_order' and 'shape'");
        string d = NormaliseDescr(path, descr.Groups[1].Value);
        var dims = new List<int>();
        long count = 1;
        foreach (var part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
                throw new NpyFormatException($"{path}: malformed shape ({shape.Groups[1].Value}), expected non-negative integers below 2^31");
            dims.Add(v);
            count = v == 0 || count == 0 ? 0 : count > Array.MaxLength / v ? long.MaxValue : count * v;
        }
        if (dims.Count > 32) throw new NpyFormatException($"{path}: {dims.Count} dimensions, expected at most 32");
        long bytesNeeded = count == long.MaxValue ? long.MaxValue : count * (d[2] - '0');
        if (count > Array.MaxLength || bytesNeeded > MemoryLimit.Bytes)
            throw new NpyFormatException($"{path}: shape ({shape.Groups[1].Value}) of '{d}' needs {(count == long.MaxValue ? "more than 2^31 elements" : MemoryLimit.Text(bytesNeeded))}, more than the memory limit of {MemoryLimit.Text(MemoryLimit.Bytes)} ({MemoryLimit.Variable})");
        return new NpyHeader(d, dims.ToArray(), start + headerLen, major, fortran.Groups[1].Value == "True");
    }

    /// <summary>The header length field, checked against the version, <see cref="MaxHeaderLength"/> and the bytes there are.</summary>
    private static int HeaderLength(string path, ReadOnlySpan<byte> bytes, long fileLength)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
        {
            string found = bytes.Length == 0 ? "an empty file" : "bytes " + Convert.ToHexString(bytes[..Math.Min(6, bytes.Length)]);
            throw new NpyFormatException($"{path}: bad magic: found {found}, expected 934E554D5059 (\\x93NUMPY) and a version");
        }
        int major = bytes[6];
        long headerLen;
        switch (major)
        {
            case 1: headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(8, 2)); break;
            case 2 or 3:
                if (bytes.Length < 12) throw new NpyFormatException($"{path}: truncated header: found {bytes.Length} bytes, expected at least 12 for format version {major}");
                headerLen = BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(8, 4)); break;
            default: throw new NpyFormatException($"{path}: unsupported format version {major}.{bytes[7]}, expected 1.0, 2.0 or 3.0");
        }
        int start = major == 1 ? 10 : 12;
        if (headerLen > MaxHeaderLength)
            throw new NpyFormatException($"{path}: header length {headerLen} bytes, expected at most {MaxHeaderLength}");
        if (start + headerLen > fileLength)
            throw new NpyFormatException($"{path}: header length {headerLen} bytes but the file has {fileLength - start} after the prefix (truncated header)");
        return (int)headerLen;
    }

    /// <summary>A dtype string with its byte order made explicit ('=' is this machine's); one line for anything unsupported.</summary>
    private static string NormaliseDescr(string path, string d)
    {
        var m = Regex.Match(d, @"^([<>|=]?)([fiub])(\d)$");
        if (!m.Success || m.Groups[2].Value switch
            {
                "f" => m.Groups[3].Value is not ("2" or "4" or "8"),
                "b" => m.Groups[3].Value != "1",
                _ => m.Groups[3].Value is not ("1" or "2" or "4" or "8"),
            })
            throw new NpyFormatException($"{path}: unsupported dtype '{d}', expected float16/32/64 ('<f2', '<f4', '<f8'), int8..int64, uint8..uint64 or bool, either byte order");
        string order = m.Groups[1].Value switch
        {
            "<" => "<",
            ">" => ">",
            _ => BitConverter.IsLittleEndian ? "<" : ">", // '=' is native; '|' and none only occur for 1-byte types
        };
        return order + m.Groups[2].Value + m.Groups[3].Value;
    }

    /// <summary>Streams the data in chunks into <paramref name="dst"/> in C order, converting each element.</summary>
    private static void ReadData<T>(Stream stream, NpyHeader header, Span<T> dst, string origin) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int size = header.ElementSize;
        bool little = header.Descr[0] == '<';
        char kind = header.Descr[1];
        var buffer = new byte[size * 8192];
        var order = header.FortranOrder && header.Shape.Length > 1 ? new FortranOrder(header.Shape) : null;
        long done = 0;
        while (done < dst.Length)
        {
            int n = (int)Math.Min(buffer.Length / size, dst.Length - done);
            try { stream.ReadExactly(buffer, 0, n * size); }
            catch (EndOfStreamException) { throw new NpyFormatException($"{origin}: data ends after {done} of {dst.Length} elements (truncated)"); }
            for (int i = 0; i < n; i++)
            {
                var e = buffer.AsSpan(i * size, size);
                long at = order is null ? done + i : order.Next();
                dst[(int)at] = T.CreateSaturating(Element(e, kind, size, little));
            }
            done += n;
        }
    }

    private static double Element(ReadOnlySpan<byte> e, char kind, int size, bool little) => (kind, size) switch
    {
        ('f', 2) => (double)(little ? BinaryPrimitives.ReadHalfLittleEndian(e) : BinaryPrimitives.ReadHalfBigEndian(e)),
        ('f', 4) => little ? BinaryPrimitives.ReadSingleLittleEndian(e) : BinaryPrimitives.ReadSingleBigEndian(e),
        ('f', _) => little ? BinaryPrimitives.ReadDoubleLittleEndian(e) : BinaryPrimitives.ReadDoubleBigEndian(e),
        ('i', 1) => (sbyte)e[0],
        ('i', 2) => little ? BinaryPrimitives.ReadInt16LittleEndian(e) : BinaryPrimitives.ReadInt16BigEndian(e),
        ('i', 4) => little ? BinaryPrimitives.ReadInt32LittleEndian(e) : BinaryPrimitives.ReadInt32BigEndian(e),
        ('i', _) => little ? BinaryPrimitives.ReadInt64LittleEndian(e) : BinaryPrimitives.ReadInt64BigEndian(e),
        ('u', 1) or ('b', _) => e[0],
        ('u', 2) => little ? BinaryPrimitives.ReadUInt16LittleEndian(e) : BinaryPrimitives.ReadUInt16BigEndian(e),
        ('u', 4) => little ? BinaryPrimitives.ReadUInt32LittleEndian(e) : BinaryPrimitives.ReadUInt32BigEndian(e),
        _ => little ? BinaryPrimitives.ReadUInt64LittleEndian(e) : BinaryPrimitives.ReadUInt64BigEndian(e),
    };

    /// <summary>Walks a Fortran-order array (first index fastest), giving each element's C-order position.</summary>
    private sealed class FortranOrder(int[] shape)
    {
        private readonly int[] _index = new int[shape.Length];
        private readonly long[] _stride = CStrides(shape);
        private long _at = -1;

        public long Next()
        {
            if (_at < 0) return _at = 0;
            for (int k = 0; k < shape.Length; k++)
            {
                if (++_index[k] < shape[k]) { _at += _stride[k]; return _at; }
                _at -= (long)(shape[k] - 1) * _stride[k];
                _index[k] = 0;
            }
            return _at;
        }

        private static long[] CStrides(int[] shape)
        {
            var s = new long[shape.Length];
            long acc = 1;
            for (int k = shape.Length - 1; k >= 0; k--) { s[k] = acc; acc *= shape[k]; }
            return s;
        }
    }

    /// <summary>Writes a float64 array ('&lt;f8', C order); version 1 unless the header needs version 2.</summary>
    public static void Write(string path, Tensor<double> t) => WriteCore(path, t.Shape, "<f8", t.ReadOnlySpan.Length, (span, i) => BinaryPrimitives.WriteDoubleLittleEndian(span, t[i]), 8);

    /// <summary>Writes a float32 array ('&lt;f4', C order).</summary>
    public static void Write(string path, Tensor<float> t) => WriteCore(path, t.Shape, "<f4", t.ReadOnlySpan.Length, (span, i) => BinaryPrimitives.WriteSingleLittleEndian(span, t[i]), 4);

    private delegate void ElementWriter(Span<byte> dst, int index);

    private static void WriteCore(string path, int[] shape, string descr, int count, ElementWriter write, int size)
    {
        string shapeText = shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")";
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Pad with spaces so magic + length field + header is a multiple of 64, ending in '\n'.
        int version = dict.Length + 1 + 10 > ushort.MaxValue ? 2 : 1;
        int prefix = version == 1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + 63) / 64 * 64;
        string header = dict.PadRight(total - prefix - 1) + "\n";
        var bytes = new byte[total + (long)count * size];
        Magic.CopyTo(bytes, 0);
        bytes[6] = (byte)version; bytes[7] = 0;
        if (version == 1) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)header.Length);
        Encoding.Latin1.GetBytes(header, bytes.AsSpan(prefix));
        for (int i = 0; i < count; i++) write(bytes.AsSpan(total + i * size, size), i);
        var tmp = path + ".tmp";
        File.WriteAllBytes(tmp, bytes);
        File.Move(tmp, path, overwrite: true);
    }

    private static string ShapeText(int[] shape) => "(" + string.Join(",", shape) + ")";

    /// <summary>True when <paramref name="head"/> starts with the NPY magic.</summary>
    public static bool IsNpy(ReadOnlySpan<byte> head) => head.Length >= 6 && head[..6].SequenceEqual(Magic);

    private static string OneLine(string s)
    {
        s = s.Replace('\n', ' ').Replace('\r', ' ').Trim();
        return s.Length > 80 ? s[..80] + "…" : s;
    }
}

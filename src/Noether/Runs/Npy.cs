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

/// <summary>The header of a .npy file: element type, shape and where the data starts.</summary>
/// <param name="Descr">numpy dtype string, e.g. "&lt;f4".</param>
/// <param name="Shape">array shape (C order).</param>
/// <param name="DataOffset">byte offset of the first element.</param>
/// <param name="Version">format major version (1 or 2).</param>
public sealed record NpyHeader(string Descr, int[] Shape, long DataOffset, int Version);

/// <summary>
/// Reads and writes NumPy .npy files (format versions 1 and 2): float32 and float64, little- or
/// big-endian, C order only. Everything is read into memory; Fortran-order, other dtypes and
/// truncated data are rejected with <see cref="NpyFormatException"/>.
/// </summary>
public static class Npy
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads a float32 or float64 array as doubles.</summary>
    public static Tensor<double> ReadDouble(string path) => Read<double>(path);

    /// <summary>Reads a float32 or float64 array as floats (float64 values are rounded).</summary>
    public static Tensor<float> ReadFloat(string path) => Read<float>(path);

    /// <summary>Reads a float32 or float64 array, converting to <typeparamref name="T"/>.</summary>
    public static Tensor<T> Read<T>(string path) where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (FileNotFoundException) { throw new NpyFormatException($"{path}: file not found"); }
        catch (DirectoryNotFoundException) { throw new NpyFormatException($"{path}: file not found"); }
        var header = ParseHeader(path, bytes);
        int elementSize = header.Descr[2] == '4' ? 4 : 8;
        long count = 1;
        foreach (var d in header.Shape) count *= d;
        long available = bytes.LongLength - header.DataOffset;
        if (available < count * elementSize)
            throw new NpyFormatException($"{path}: truncated data: found {available} bytes after the header, expected {count * elementSize} for shape {ShapeText(header.Shape)} of {header.Descr}");
        var t = new Tensor<T>(header.Shape);
        var dst = t.Span;
        var data = bytes.AsSpan((int)header.DataOffset);
        bool little = header.Descr[0] != '>';
        for (int i = 0; i < dst.Length; i++)
        {
            if (elementSize == 4)
            {
                var s = data.Slice(i * 4, 4);
                float v = little ? BinaryPrimitives.ReadSingleLittleEndian(s) : BinaryPrimitives.ReadSingleBigEndian(s);
                dst[i] = T.CreateChecked(v);
            }
            else
            {
                var s = data.Slice(i * 8, 8);
                double v = little ? BinaryPrimitives.ReadDoubleLittleEndian(s) : BinaryPrimitives.ReadDoubleBigEndian(s);
                dst[i] = T.CreateChecked(v);
            }
        }
        return t;
    }

    /// <summary>Parses and validates the header of a .npy byte image.</summary>
    public static NpyHeader ParseHeader(string path, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length < 10 || !bytes[..6].SequenceEqual(Magic))
        {
            string found = bytes.Length == 0 ? "an empty file" : "bytes " + Convert.ToHexString(bytes[..Math.Min(6, bytes.Length)]);
            throw new NpyFormatException($"{path}: bad magic: found {found}, expected 934E554D5059 (\\x93NUMPY)");
        }
        int major = bytes[6];
        int headerLen, start;
        switch (major)
        {
            case 1: headerLen = BinaryPrimitives.ReadUInt16LittleEndian(bytes.Slice(8, 2)); start = 10; break;
            case 2:
                if (bytes.Length < 12) throw new NpyFormatException($"{path}: truncated header: found {bytes.Length} bytes, expected at least 12 for format version 2");
                headerLen = checked((int)BinaryPrimitives.ReadUInt32LittleEndian(bytes.Slice(8, 4))); start = 12; break;
            default: throw new NpyFormatException($"{path}: unsupported format version {major}.{bytes[7]}, expected 1.0 or 2.0");
        }
        if (bytes.Length < start + headerLen)
            throw new NpyFormatException($"{path}: truncated header: found {bytes.Length - start} header bytes, expected {headerLen}");
        string text = Encoding.Latin1.GetString(bytes.Slice(start, headerLen));

        var descr = Regex.Match(text, @"'descr'\s*:\s*'([^']*)'");
        var fortran = Regex.Match(text, @"'fortran_order'\s*:\s*(True|False)");
        var shape = Regex.Match(text, @"'shape'\s*:\s*\(([^)]*)\)");
        if (!descr.Success || !fortran.Success || !shape.Success)
            throw new NpyFormatException($"{path}: malformed header: found {OneLine(text)}, expected a dict with 'descr', 'fortran_order' and 'shape'");
        string d = descr.Groups[1].Value;
        if (d is not ("<f4" or "<f8" or ">f4" or ">f8" or "=f4" or "=f8"))
            throw new NpyFormatException($"{path}: unsupported dtype '{d}', expected float32 ('<f4') or float64 ('<f8')");
        if (d[0] == '=') d = (BitConverter.IsLittleEndian ? "<" : ">") + d[1..];
        if (fortran.Groups[1].Value == "True")
            throw new NpyFormatException($"{path}: Fortran-order array, expected C order (save with np.ascontiguousarray)");
        var dims = new List<int>();
        foreach (var part in shape.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
                throw new NpyFormatException($"{path}: malformed shape ({shape.Groups[1].Value}), expected non-negative integers");
            dims.Add(v);
        }
        return new NpyHeader(d, dims.ToArray(), start + headerLen, major);
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

    private static string OneLine(string s)
    {
        s = s.Replace('\n', ' ').Replace('\r', ' ').Trim();
        return s.Length > 80 ? s[..80] + "…" : s;
    }
}

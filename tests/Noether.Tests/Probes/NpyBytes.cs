using System.Buffers.Binary;
using System.Text;

namespace Noether.Tests.Probes;

/// <summary>
/// Builds .npy images byte by byte as NumPy's format specification describes (magic, version, little-endian
/// header length, the dict padded with spaces and ending in '\n'), independently of the reader under test.
/// Every field can be forged, for the malformed-file tests.
/// </summary>
internal static class NpyBytes
{
    /// <summary>A .npy image; <paramref name="headerLength"/> overrides the length field, <paramref name="align"/> the padding.</summary>
    public static byte[] Build(int version, string dict, byte[] data, string magic = "\u0093NUMPY", long? headerLength = null, int align = 64)
    {
        int prefix = version == 1 ? 10 : 12;
        int total = (prefix + dict.Length + 1 + align - 1) / align * align;
        string header = dict.PadRight(total - prefix - 1) + "\n";
        var bytes = new byte[total + data.Length];
        Encoding.Latin1.GetBytes(magic).CopyTo(bytes, 0);
        bytes[6] = (byte)version;
        if (version == 1) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)(headerLength ?? header.Length));
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)(headerLength ?? header.Length));
        Encoding.Latin1.GetBytes(header).CopyTo(bytes, prefix);
        data.CopyTo(bytes, total);
        return bytes;
    }

    /// <summary>The header dict NumPy writes for a dtype, memory order and shape.</summary>
    public static string Dict(string descr, int[] shape, bool fortran = false) =>
        Dict(descr, shape.Length == 1 ? $"({shape[0]},)" : "(" + string.Join(", ", shape) + ")", fortran);

    /// <summary>The header dict with the shape given as text (to forge malformed shapes).</summary>
    public static string Dict(string descr, string shape, bool fortran = false) =>
        $"{{'descr': '{descr}', 'fortran_order': {(fortran ? "True" : "False")}, 'shape': {shape}, }}";
}

using System.Text.Json;
using System.Text.Json.Nodes;

namespace Noether.Runs;

/// <summary>
/// Reads the JSON documents Noether is given or left behind (configs, sweep specs, manifests, run.json)
/// with a size bound and one-line errors that name the file: invalid JSON, duplicate keys, a wrong
/// top-level type or a field that does not fit the expected record.
/// </summary>
public static class JsonFile
{
    /// <summary>The top-level object of <paramref name="path"/>; <paramref name="what"/> names the file's role in messages.</summary>
    public static JsonObject ReadObject(string path, string what)
    {
        string text = BoundedFile.ReadAllText(path, BoundedFile.JsonLimit, what);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
            // Duplicate keys surface only when an object is first enumerated; do it here, where the file is known.
            Touch(root);
        }
        catch (JsonException e) { throw new UnreadableFileException($"{what} '{path}' is not valid JSON: {FirstLine(e.Message)}", e); }
        catch (ArgumentException e) { throw new UnreadableFileException($"{what} '{path}' is not valid JSON: a key appears twice in one object ({FirstLine(e.Message)})", e); }
        return root as JsonObject ?? throw new UnreadableFileException($"{what} '{path}': expected a JSON object at the top level, found {Kind(root)}");
    }

    /// <summary>
    /// <paramref name="path"/> deserialised as <typeparamref name="T"/>; a document that does not fit (wrong
    /// type of a field, null at the top) is one line naming the file and the JSON path of the field.
    /// </summary>
    public static T Read<T>(string path, string what, JsonSerializerOptions options) where T : class
    {
        var obj = ReadObject(path, what);
        try
        {
            return obj.Deserialize<T>(options) ?? throw new UnreadableFileException($"{what} '{path}' is empty");
        }
        catch (JsonException e)
        {
            string field = e.Path is { Length: > 0 } p ? $"field {p}: " : "";
            throw new UnreadableFileException($"{what} '{path}': {field}{FirstLine(e.Message)}", e);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or OverflowException or NotSupportedException)
        {
            throw new UnreadableFileException($"{what} '{path}': {FirstLine(e.Message)}", e);
        }
    }

    /// <summary>The kind of a JSON node as a message names it.</summary>
    public static string Kind(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "an object",
        JsonArray => "an array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => "a boolean",
        },
        _ => "a value",
    };

    private static void Touch(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o: foreach (var (_, child) in o) Touch(child); break;
            case JsonArray a: foreach (var child in a) Touch(child); break;
        }
    }

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();
}

using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Unicode;

namespace NeonRegistry.Oci;

/// <summary>
/// The parsed view of a pushed manifest or index: just the parts the registry acts on (what it references, its
/// subject, its artifact type). The pushed bytes are stored untouched; this view is never serialized back.
/// </summary>
public sealed class ManifestDocument
{
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    private ManifestDocument(string mediaType, Wire wire)
    {
        MediaType = mediaType;
        Config = wire.Config;
        Layers = wire.Layers ?? [];
        Manifests = wire.Manifests ?? [];
        Subject = wire.Subject;
        // Listing Referrers: an empty artifactType counts as missing; a manifest then reports its config's media type.
        ArtifactType = string.IsNullOrEmpty(wire.ArtifactType)
            ? (MediaTypes.IsManifest(mediaType) ? wire.Config?.MediaType : null)
            : wire.ArtifactType;
        Annotations = wire.Annotations;
    }

    public string MediaType { get; }

    public Descriptor? Config { get; }

    public IReadOnlyList<Descriptor> Layers { get; }

    /// <summary>The child manifests of an index; empty for an image manifest.</summary>
    public IReadOnlyList<Descriptor> Manifests { get; }

    public Descriptor? Subject { get; }

    /// <summary>The artifact type the referrers API reports: <c>artifactType</c>, else the config's media type.</summary>
    public string? ArtifactType { get; }

    public Dictionary<string, string>? Annotations { get; }

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    /// <summary>Parses and checks a manifest body against the media type the client declared.</summary>
    /// <exception cref="RegistryException">MANIFEST_INVALID for anything that is not a well-formed, supported manifest.</exception>
    public static ManifestDocument Parse(ReadOnlySpan<byte> content, string? contentType)
    {
        Wire wire;
        try
        {
            wire = JsonSerializer.Deserialize(content, OciJsonContext.Default.Wire) ?? throw Invalid("the body is JSON null");
        }
        catch (JsonException e)
        {
            throw Invalid($"the body is not valid JSON ({e.Message})");
        }

        var declared = StripParameters(contentType);
        var mediaType = wire.MediaType ?? declared
            ?? throw Invalid("neither the Content-Type header nor the manifest's mediaType field names its media type");
        if (declared is not null && wire.MediaType is not null && declared != wire.MediaType)
        {
            throw Invalid($"the manifest's mediaType '{wire.MediaType}' disagrees with the Content-Type header '{declared}'");
        }

        if (!MediaTypes.IsSupported(mediaType))
        {
            throw Invalid($"media type '{mediaType}' is not supported: push an OCI image manifest or index, or a Docker schema 2 manifest or manifest list");
        }

        if (wire.SchemaVersion != 2)
        {
            throw Invalid($"schemaVersion must be 2, not {wire.SchemaVersion}");
        }

        var document = new ManifestDocument(mediaType, wire);
        document.CheckShape();
        return document;
    }

    /// <summary>
    /// Parses a manifest about to enter the store, refusing what parsers could read differently: a registry hands
    /// the same bytes to many clients, and one that keeps the first of two equal keys would see another manifest
    /// than the registry checked (which keeps the last), as one that replaces invalid UTF-8 would.
    /// </summary>
    /// <exception cref="RegistryException">MANIFEST_INVALID, as <see cref="Parse"/>, and for duplicate keys or invalid UTF-8.</exception>
    public static ManifestDocument ParseIncoming(ReadOnlyMemory<byte> content, string? contentType)
    {
        if (!Utf8.IsValid(content.Span))
        {
            throw Invalid("the body is not valid UTF-8");
        }

        try
        {
            using var _ = JsonDocument.Parse(content, StrictJson);
        }
        catch (JsonException e)
        {
            throw Invalid($"the body is not valid JSON, or repeats a key ({e.Message})");
        }

        return Parse(content.Span, contentType);
    }

    /// <summary>Every descriptor the registry must hold before it accepts this manifest.</summary>
    public IEnumerable<Descriptor> References() =>
        IsIndex ? Manifests : Layers.Where(l => !MediaTypes.IsForeignLayer(l.MediaType)).Prepend(Config!);

    private void CheckShape()
    {
        if (IsIndex)
        {
            if (Config is not null || Layers.Count > 0)
            {
                throw Invalid("an index has 'manifests', not 'config' or 'layers'");
            }
        }
        else if (Config is null)
        {
            throw Invalid("an image manifest needs a 'config' descriptor");
        }

        if (Layers.Concat(Manifests).Any(d => d is null))
        {
            throw Invalid("'layers' and 'manifests' may hold descriptors only, not null");
        }

        foreach (var descriptor in Layers.Concat(Manifests).Append(Config).Append(Subject).OfType<Descriptor>())
        {
            if (!Digest.TryParse(descriptor.Digest, out _) || descriptor.Size < 0 || string.IsNullOrEmpty(descriptor.MediaType))
            {
                throw Invalid($"descriptor '{descriptor.Digest}' needs a valid digest, a mediaType and a non-negative size");
            }
        }
    }

    private static string? StripParameters(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return null;
        }

        var semicolon = contentType.IndexOf(';');
        return (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
    }

    private static RegistryException Invalid(string why) => new(OciErrorCode.ManifestInvalid, $"manifest invalid: {why}");

    /// <summary>The manifest as it is on the wire; only the parsing above reads it.</summary>
    internal sealed class Wire
    {
        [JsonPropertyName("schemaVersion")]
        public int SchemaVersion { get; init; }

        [JsonPropertyName("mediaType")]
        public string? MediaType { get; init; }

        [JsonPropertyName("artifactType")]
        public string? ArtifactType { get; init; }

        [JsonPropertyName("config")]
        public Descriptor? Config { get; init; }

        [JsonPropertyName("layers")]
        public Descriptor[]? Layers { get; init; }

        [JsonPropertyName("manifests")]
        public Descriptor[]? Manifests { get; init; }

        [JsonPropertyName("subject")]
        public Descriptor? Subject { get; init; }

        [JsonPropertyName("annotations")]
        public Dictionary<string, string>? Annotations { get; init; }
    }
}

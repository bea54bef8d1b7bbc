-- 11 analytics (plan section 11).
CREATE TABLE gig_views (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    gig_id UUID NOT NULL REFERENCES gigs(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    viewer_user_id UUID REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,

    ip_address INET,
    user_agent TEXT,
    referrer TEXT,

    viewed_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_gig_views_gig_id ON gig_views(gig_id);
CREATE INDEX idx_gig_views_viewed_at ON gig_views(viewed_at);
CREATE INDEX idx_gig_views_viewer ON gig_views(viewer_user_id);

CREATE TABLE profile_views (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_profile_id UUID NOT NULL REFERENCES creator_profiles(id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
    viewer_user_id UUID REFERENCES users(id) ON DELETE SET NULL DEFERRABLE INITIALLY DEFERRED,

    ip_address INET,
    user_agent TEXT,
    referrer TEXT,

    viewed_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE INDEX idx_profile_views_profile_id ON profile_views(creator_profile_id);
CREATE INDEX idx_profile_views_viewed_at ON profile_views(viewed_at);
CREATE INDEX idx_profile_views_viewer ON profile_views(viewer_user_id);
